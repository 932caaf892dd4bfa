/** Imported first by test/setup.ts: the logger reads NODE_ENV when it loads, and must stay quiet in specs. */
process.env.NODE_ENV = 'test';
