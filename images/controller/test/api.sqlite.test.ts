import { defineApiSuite } from './api-suite';

defineApiSuite('SQLite', { start: async () => undefined, stop: () => undefined });
