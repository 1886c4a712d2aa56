import { defaultConcurrency, defaultJobs, positiveIntegerOr } from "../../src/settings/parallelism.js";

const GIB = 1024 ** 3;

test("jobs: four per core, capped by memory (1.5 GiB each) and by 16", () => {
  expect(defaultJobs({ cores: 2, memoryBytes: 24 * GIB })).toBe(8); // this machine: the measured sweet spot
  expect(defaultJobs({ cores: 2, memoryBytes: 4 * GIB })).toBe(2); // memory runs out first
  expect(defaultJobs({ cores: 64, memoryBytes: 512 * GIB })).toBe(16);
  expect(defaultJobs({ cores: 1, memoryBytes: 1 * GIB })).toBe(1); // never zero
});

test("concurrency: one change request per core, at least two", () => {
  expect(defaultConcurrency({ cores: 1, memoryBytes: GIB })).toBe(2);
  expect(defaultConcurrency({ cores: 8, memoryBytes: GIB })).toBe(8);
});

test("env numbers: positive whole numbers only, else the default", () => {
  expect(positiveIntegerOr("4", 2)).toBe(4);
  expect(positiveIntegerOr(undefined, 2)).toBe(2);
  expect(positiveIntegerOr("0", 2)).toBe(2);
  expect(positiveIntegerOr("1.5", 2)).toBe(2);
});
