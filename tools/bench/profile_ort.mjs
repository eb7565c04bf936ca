// Where ONNX Runtime's inference time goes, per operator type, from its own profiler
// (session option enableProfiling: a JSON trace of every node's kernel time), as one JSON line:
//
//   node profile_ort.mjs ORT_DIR MODEL.onnx CROP BATCH STEPS THREADS
//
// The same session options and input as bench_ort.mjs; one warm-up run, then STEPS profiled
// runs. Only the nodes inside the profiled runs count (the trace also holds the session's
// set-up and the warm-up). Prints run_ms (wall time of one run), then per operator type the
// kernel time in ms per run and the node count; "between nodes" is run_ms less the nodes'
// sum (the executor's own work). Used by tools/bench/profile_infer.sh.
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [ortDir, modelPath, cropText, batchText, stepsText, threadsText] = process.argv.slice(2);
const require = createRequire(join(resolve(ortDir), 'package.json'));
const ort = require('onnxruntime-node');
const crop = Number(cropText), batch = Number(batchText), steps = Number(stepsText), threads = Number(threadsText);

const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
  graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: join(dir, 'ort'),
});
const data = new Float32Array(batch * 3 * crop * crop);
for (let i = 0; i < data.length; ++i) data[i] = Math.sin(i * 12.9898) * 2;  // as bench_ort.mjs
const feeds = { image: new ort.Tensor('float32', data, [batch, 3, crop, crop]) };
await session.run(feeds);  // warm-up
for (let s = 0; s < steps; ++s) await session.run(feeds);
session.endProfiling();
const file = readdirSync(dir).find((f) => f.endsWith('.json'));
if (!file) { console.error('profile_ort.mjs: ONNX Runtime wrote no profile'); process.exit(1); }
const events = JSON.parse(readFileSync(join(dir, file), 'utf8'));
rmSync(dir, { recursive: true, force: true });

// The runs, in order: the first is the warm-up. Node events lie inside their run's span.
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
if (runs.length !== steps + 1) { console.error(`profile_ort.mjs: ${runs.length} runs in the profile, expected ${steps + 1}`); process.exit(1); }
const timed = runs.slice(1);
const inTimed = (e) => timed.some((r) => e.ts >= r.ts && e.ts + e.dur <= r.ts + r.dur);
const ops = {};
let nodeSum = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !inTimed(e)) continue;
  const op = (e.args && e.args.op_name) || 'unknown';
  ops[op] ??= { ms: 0, nodes: 0 };
  ops[op].ms += e.dur / 1000 / steps;
  ops[op].nodes += 1 / steps;
  nodeSum += e.dur / 1000 / steps;
}
const runMs = timed.reduce((t, r) => t + r.dur, 0) / 1000 / steps;
ops['between nodes'] = { ms: runMs - nodeSum, nodes: 0 };
console.log(JSON.stringify({ project: 'onnxruntime-node', version: require('onnxruntime-node/package.json').version,
  crop, batch, threads, steps, run_ms: runMs, ops }));
