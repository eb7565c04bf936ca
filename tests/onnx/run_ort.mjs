// Runs an exported Dinomaly model once in ONNX Runtime (the npm package onnxruntime-node,
// CPU provider) on float32 images read from a raw file, and writes its outputs as raw files:
//
//   node run_ort.mjs ORT_DIR MODEL.onnx INPUT.f32 N,3,C,C OUT_PREFIX [THREADS]
//
// writes OUT_PREFIX.map.f32 and OUT_PREFIX.score.f32 (little-endian float32, row-major) and
// prints the output shapes as one JSON line. ORT_DIR is the folder whose node_modules holds
// onnxruntime-node (tools/install_onnxruntime.sh installs it there).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [ortDir, modelPath, inputPath, dimsText, outPrefix, threadsText] = process.argv.slice(2);
if (!outPrefix) {
  console.error('usage: node run_ort.mjs ORT_DIR MODEL.onnx INPUT.f32 N,3,C,C OUT_PREFIX [THREADS]');
  process.exit(2);
}
const require = createRequire(join(resolve(ortDir), 'package.json'));
const ort = require('onnxruntime-node');

const dims = dimsText.split(',').map(Number);
const bytes = readFileSync(inputPath);
const expected = dims.reduce((a, b) => a * b, 1);
if (bytes.length !== expected * 4) {
  console.error(`run_ort: ${inputPath} holds ${bytes.length} bytes, not ${expected} floats for [${dims}]`);
  process.exit(1);
}
const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const threads = Number(threadsText || 2);
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
});
const out = await session.run({ image: new ort.Tensor('float32', data, dims) });
for (const name of ['map', 'score']) {
  const t = out[name];
  writeFileSync(`${outPrefix}.${name}.f32`, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}
console.log(JSON.stringify({ map: out.map.dims, score: out.score.dims }));
