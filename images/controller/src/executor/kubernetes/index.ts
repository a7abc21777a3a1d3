/** The Kubernetes executor: Jobs on the platform's GPU pools through Kueue. */
export { KubernetesExecutor, type KubernetesExecutorOptions } from './kubernetes-executor';
export { placeRun, modelIdOf, requestedPoolOf, toRunPlacement, fromRunPlacement, RunPlacer } from './run-placement';
export type { RunNotice, RunNoticeListener } from './run-state';
export { KubeApi, loadKubernetesClient, type KubeConnection, type KubernetesClientModule } from './kube-api';
export { buildRunManifests, podSpecJson, type RunManifestInput, type RunManifests } from './manifests';
export { choosePlacement, placedRunSeconds, PlacementError, type Placement, type PlacementPool, type PlacementRequest } from './placement';
export { observeAttempt, livePods, type AttemptEnd, type AttemptObservation } from './observe';
export { settingsFromConfig, settingsProblems, DEFAULT_RUN_SETTINGS, trainerStorageOf, type KubernetesRunSettings, type RunSettingsOverrides } from './settings';
export * from './names';
