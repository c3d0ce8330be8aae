#!/usr/bin/env node
import { main } from '../dist/cli/main.js';
import { capYoungGeneration } from '../dist/util/young-generation.js';

capYoungGeneration(); // a long run's peak memory stays where a short run's is (see its doc comment)
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`notion-stream: ${err?.message ?? err}\n`); process.exitCode = 1; },
);
