import * as tf from '@tensorflow/tfjs-core';
import type { Model, ModelSpec } from './model.ts';
import { createModel } from './index.ts';

/**
 * One self-describing binary file per model: "PRMN", a little-endian u32 header length,
 * a JSON header (spec and tensor names/shapes, in order), zero padding to 4 bytes, then
 * every tensor's float32 values.
 */
const MAGIC = 'PRMN';

interface Header {
  format: 1;
  spec: ModelSpec;
  tensors: { name: string; shape: number[] }[];
}

export function serializeModel(model: Model): Uint8Array {
  const entries = [...model.trainable, ...model.state];
  const header: Header = {
    format: 1,
    spec: model.spec,
    tensors: entries.map(([name, v]) => ({ name, shape: v.shape })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataOffset = align4(8 + headerBytes.length);
  const total = entries.reduce((n, [, v]) => n + v.size, 0);
  const out = new Uint8Array(dataOffset + total * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  const floats = new Float32Array(out.buffer, dataOffset, total);
  let at = 0;
  for (const [, v] of entries) {
    floats.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
  return out;
}

/** Reads a model written by serializeModel; throws on a malformed or mismatched file. */
export function deserializeModel(bytes: Uint8Array): Model {
  const header = readHeader(bytes);
  const model = createModel(header.spec, 0);
  const variables = new Map([...model.trainable, ...model.state]);
  const dataOffset = align4(8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true));
  const copy = bytes.slice(dataOffset);
  const floats = new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  let at = 0;
  for (const { name, shape } of header.tensors) {
    const variable = variables.get(name);
    if (!variable) throw new Error(`model file has unknown tensor ${name}`);
    if (variable.shape.join('x') !== shape.join('x')) {
      throw new Error(`tensor ${name}: shape ${shape.join('x')} does not match ${variable.shape.join('x')}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (at + size > floats.length) throw new Error('model file is truncated');
    tf.tidy(() => variable.assign(tf.tensor(floats.subarray(at, at + size), shape)));
    at += size;
    variables.delete(name);
  }
  if (variables.size > 0) throw new Error(`model file lacks tensors: ${[...variables.keys()].join(', ')}`);
  return model;
}

export function readModelSpec(bytes: Uint8Array): ModelSpec {
  return readHeader(bytes).spec;
}

function readHeader(bytes: Uint8Array): Header {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error('not a Permanence model file (bad magic)');
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Header;
  if (header.format !== 1) throw new Error(`unsupported model file format ${String(header.format)}`);
  return header;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
