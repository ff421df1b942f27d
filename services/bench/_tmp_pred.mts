import { readdirSync, readFileSync } from 'node:fs';
import { setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
if (process.env.T1) setThreadsCount(1);
import { loadBackend } from '/work/main/sim/backend/loader.ts';
import { Predictor } from '/work/main/services/predict/predictor.ts';
const b = await loadBackend({ log: () => undefined });
const p = new Predictor();
p.swap(new Uint8Array(readFileSync('/tmp/h5/data1/models/live-mnist/v1/model.bin')), 1);
const img = new Float32Array(784).fill(0.2);
for (let i = 0; i < 50; i++) p.predict(img);
const t = [];
for (let i = 0; i < 500; i++) { const s = performance.now(); p.predict(img); t.push(performance.now() - s); }
t.sort((a, b) => a - b);
console.log(b.name, getThreadsCount(), 'p50', t[250].toFixed(2), 'p99', t[495].toFixed(2), 'mean', (t.reduce((a, b) => a + b) / t.length).toFixed(2));
