// Inference speed of an exported Dinomaly model in ONNX Runtime (onnxruntime-node, CPU
// provider), as one JSON line:
//
//   node bench_ort.mjs ORT_DIR MODEL.onnx CROP BATCH STEPS THREADS
//
// A deterministic input batch of the model's crop; one untimed warm-up run, then STEPS timed runs.
// peak_rss_mb is the process's VmHWM (node itself included, about 50 MB).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [ortDir, modelPath, cropText, batchText, stepsText, threadsText] = process.argv.slice(2);
const require = createRequire(join(resolve(ortDir), 'package.json'));
const ort = require('onnxruntime-node');
const crop = Number(cropText), batch = Number(batchText), steps = Number(stepsText), threads = Number(threadsText);

const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const data = new Float32Array(batch * 3 * crop * crop);
for (let i = 0; i < data.length; ++i) data[i] = Math.sin(i * 12.9898) * 2;  // deterministic, about N(0, 1)'s range
const feeds = { image: new ort.Tensor('float32', data, [batch, 3, crop, crop]) };
await session.run(feeds);  // warm-up
let total = 0, fastest = Infinity;
const cpu0 = process.cpuUsage();  // user + system of all threads, as ours reports infer_cpu_s
for (let s = 0; s < steps; ++s) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  total += dt;
  fastest = Math.min(fastest, dt);
}
const cpu = process.cpuUsage(cpu0);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(JSON.stringify({
  project: 'onnxruntime-node', version: require('onnxruntime-node/package.json').version, crop, batch, threads, steps,
  infer_img_s: batch * steps / total, infer_step_s: total / steps, infer_min_s: fastest,
  infer_cpu_s: (cpu.user + cpu.system) / 1e6 / steps,
  peak_rss_mb: hwm ? Number(hwm[1]) / 1024 : null,
}));
