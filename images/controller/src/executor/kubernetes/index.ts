/** The Kubernetes executor (issue 6): Jobs on the platform's GPU pools through Kueue. */
export { KubernetesExecutor, placeRun, modelIdOf, requestedPoolOf, type KubernetesExecutorOptions, type RunNotice, type RunNoticeListener } from './kubernetes-executor';
export { KubeApi, loadKubernetesClient, type KubeConnection, type KubernetesClientModule } from './kube-api';
export { buildRunManifests, podSpecJson, type RunManifestInput, type RunManifests } from './manifests';
export { choosePlacement, placedRunSeconds, PlacementError, type Placement, type PlacementPool, type PlacementRequest } from './placement';
export { observeAttempt, livePods, type AttemptEnd, type AttemptObservation } from './observe';
export { settingsFromConfig, settingsProblems, DEFAULT_RUN_SETTINGS, BUCKET_SCHEME, type KubernetesRunSettings, type RunSettingsOverrides } from './settings';
export * from './names';
