/** The platform config: one zod schema, cross-field rules over the catalog, and a YAML/JSON loader. */
export * from './schema';
export * from './issues';
export * from './rules';
export * from './validate';
export * from './loader';
export * from './cidr';
