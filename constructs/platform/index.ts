/** Cloud-neutral platform layer: the conventions every part shares. */
export * from './conventions';
