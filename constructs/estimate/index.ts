/**
 * The fine-tuning estimator: time and cost of a job per cloud and GPU shape (`vpctune estimate`), and the same
 * models for the controller's `estimated_finish`. See README.md beside this file.
 */
export * from './types';
export { estimateJob, estimateRunSeconds, resolveSetup, defaultSkus, referenceQuotes, EstimateInputError } from './estimate';
export { findModel, modelFromConfig, parameterCounts, loraAdapterParameters, ModelConfigError } from './model-catalog';
export { MODELS } from './model-data';
export { memoryPerGpu, smallestGpuCount, fits, usableBytes, ADAMW_MIXED_PRECISION, DEFAULT_SETUP, MAX_NODES } from './memory-model';
export { flopsPerToken, tokensPerSecondPerGpu, clusterTokensPerSecond } from './throughput-model';
export { efficiencyFactor } from './efficiency-data';
export { countChatTokens, estimateMessageTokens, TOKEN_COUNT_RULE } from './token-count';
export { renderTable } from './render-table';
export { renderJson, toJson } from './render-json';
