// What generate.mjs and bench.mjs share: opening an LFM2-VL ONNX folder offline, and the small,
// documented hooks for what transformers.js 4.3.1 cannot drive by itself (see README.md):
// - split layout: onnx/projector.onnx is chained after transformers.js's own vision_encoder session
//   (transformers.js knows no projector session);
// - liquid `_q8` files: transformers.js maps dtype q8 to the `_quantized` suffix, so the folder is
//   opened through a temporary view of symlinks that names them `_quantized` (same bytes);
// - float16 graph inputs (liquid fp16 and q4f16 graphs take float16 pixel_values, inputs_embeds and
//   caches): a float tensor is cast to the float type the session declares, and the float16 outputs
//   of the graphs whose outputs transformers.js merges (image features, token embeddings) are read as
//   float32, as the engine reads them.
// Everything else (processor, chat template, prompt expansion, embedding merge, cache protocol) is transformers.js.
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { env, Tensor } from '@huggingface/transformers';

/** TJS_DTYPE as users pass transformers.js's dtype option: a dtype ("q4") or a JSON object per session; default fp32. */
export function dtypeOption() {
    const arg = process.env.TJS_DTYPE ?? 'fp32';
    return arg.trim().startsWith('{') ? JSON.parse(arg) : arg;
}

/**
 * Points transformers.js at the folder, local files only; returns its absolute path and the model name
 * to pass to from_pretrained. A `_q8` view, if one is made, is removed when the process exits.
 */
export function openFolder(modelDir, dtype = 'fp32') {
    const folder = path.resolve(modelDir);
    const view = q8View(folder, dtype);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = path.dirname(view ?? folder) + path.sep;
    if (view) {
        process.on('exit', () => fs.rmSync(path.dirname(view), { recursive: true, force: true }));
    }
    return { folder, name: path.basename(folder) };
}

/**
 * When dtype q8 is asked for and the folder names its q8 graphs `X_q8.onnx` (Liquid AI's naming) with
 * no `X_quantized.onnx` beside them: a temporary folder of symlinks to every file of the folder, plus
 * `onnx/X_quantized.onnx -> X_q8.onnx` (and its `.onnx_data`), so transformers.js finds the bytes under
 * its own suffix. transformers.js's suffix table is frozen (DEFAULT_DTYPE_SUFFIX_MAPPING) and offers no
 * file-name option per session; nothing is written into the model folder. Returns the view's path, or null.
 */
function q8View(folder, dtype) {
    const asksQ8 = typeof dtype === 'string' ? dtype === 'q8' : Object.values(dtype ?? {}).includes('q8');
    const onnxDir = path.join(folder, 'onnx');
    if (!asksQ8 || !fs.existsSync(onnxDir)) {
        return null;
    }
    const files = fs.readdirSync(onnxDir);
    const aliases = files.filter((f) => /_q8\.onnx(_data(_\d+)?)?$/.test(f))
        .map((f) => [f.replace('_q8.onnx', '_quantized.onnx'), f])
        .filter(([alias]) => !files.includes(alias));
    if (aliases.length === 0) {
        return null;
    }
    const view = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tjs-q8-view-')), path.basename(folder));
    fs.mkdirSync(path.join(view, 'onnx'), { recursive: true });
    for (const entry of fs.readdirSync(folder).filter((e) => e !== 'onnx')) {
        fs.symlinkSync(path.join(folder, entry), path.join(view, entry));
    }
    // every file under its own name too: an .onnx file finds its external data by the name stored inside it
    for (const f of files) {
        fs.symlinkSync(path.join(onnxDir, f), path.join(view, 'onnx', f));
    }
    for (const [alias, target] of aliases) {
        fs.symlinkSync(path.join(onnxDir, target), path.join(view, 'onnx', alias));
    }
    return view;
}

/** The sessions whose float outputs transformers.js merges into one inputs_embeds tensor. */
const MERGED_OUTPUTS = new Set(['vision_encoder', 'embed_tokens']);

/**
 * Wraps each session's run so that a float32 input goes in as float16 where the graph declares float16
 * (and back), and, for the vision encoder and embed_tokens, float16 outputs come back as float32: the
 * merge copies raw elements, so both must be one type, and float32 is what the engine merges in.
 * A no-op for graphs whose float inputs and outputs are all float32.
 */
export function castFloatInputs(model) {
    for (const [name, session] of Object.entries(model.sessions)) {
        const declared = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m.type]));
        const widenOutputs = MERGED_OUTPUTS.has(name);
        const run = session.run.bind(session);
        session.run = async (feeds, ...rest) => {
            const cast = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toType(t, declared[k])]));
            const out = await run(cast, ...rest);
            if (!widenOutputs) {
                return out;
            }
            return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, toType(t, 'float32')]));
        };
    }
}

/** {@code t} as an onnxruntime tensor of float type {@code type} (float32 or float16), or unchanged. */
function toType(t, type) {
    if (!t || t.type === type || !['float32', 'float16'].includes(type) || !['float32', 'float16'].includes(t.type)) {
        return t;
    }
    const data = type === 'float16' ? float32ToFloat16(t.data) : float16ToFloat32(t.data);
    return new ort.Tensor(type, data, t.dims);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits (Uint16Array: Node 20 has no Float16Array) with round-to-nearest-even, as the engine's Fp16. */
function float32ToFloat16(values) {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
        f32[0] = values[i];
        const bits = u32[0];
        const sign = (bits >>> 16) & 0x8000;
        const exp = (bits >>> 23) & 0xff;
        const mant = bits & 0x7fffff;
        if (exp === 0xff) {
            out[i] = sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
            continue;
        }
        const e = exp - 127 + 15;
        if (e >= 0x1f) {
            out[i] = sign | 0x7c00;
        } else if (e <= 0) {
            if (e < -10) {
                out[i] = sign;
                continue;
            }
            const m = mant | 0x800000;
            const shift = 14 - e;
            let half = m >>> shift;
            const rest = m & ((1 << shift) - 1);
            const halfway = 1 << (shift - 1);
            if (rest > halfway || (rest === halfway && (half & 1) !== 0)) {
                half++;
            }
            out[i] = sign | half;
        } else {
            let half = (e << 10) | (mant >>> 13);
            const rest = mant & 0x1fff;
            if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) {
                half++; // a carry into the exponent is the correct rounding
            }
            out[i] = sign | half;
        }
    }
    return out;
}

/** float32 values of binary16 bits. */
function float16ToFloat32(bits) {
    const u16 = bits instanceof Uint16Array ? bits : new Uint16Array(bits.buffer, bits.byteOffset, bits.length);
    const out = new Float32Array(u16.length);
    for (let i = 0; i < u16.length; i++) {
        const h = u16[i];
        const sign = (h & 0x8000) << 16;
        const exp = (h >>> 10) & 0x1f;
        const mant = h & 0x3ff;
        if (exp === 0x1f) {
            u32[0] = sign | 0x7f800000 | (mant << 13);
            out[i] = f32[0];
        } else if (exp === 0) {
            out[i] = (sign ? -1 : 1) * mant * 2 ** -24;
        } else {
            u32[0] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
            out[i] = f32[0];
        }
    }
    return out;
}

/** The user turn every reference run sends: the image, then the prompt. */
export const MESSAGES = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] }];

/** For split folders, chains onnx/projector.onnx after the model's vision_encoder session. */
export async function attachProjector(model, folder) {
    const projectorFile = path.join(folder, 'onnx', 'projector.onnx');
    if (!fs.existsSync(projectorFile)) {
        return;
    }
    const projector = await ort.InferenceSession.create(projectorFile);
    const encoder = model.sessions.vision_encoder;
    model.encode_image = async (inputs) => {
        const feeds = Object.fromEntries(encoder.inputNames.map((n) => [n, inputs[n].ort_tensor]));
        const encoded = await encoder.run(feeds);
        // the projector takes the encoder's output plus whichever image inputs it declares (spatial_shapes, ...)
        const projectorFeeds = Object.fromEntries(projector.inputNames.map((n) => [n, encoded[n] ?? inputs[n]?.ort_tensor]));
        const projected = await projector.run(projectorFeeds);
        return new Tensor(projected[projector.outputNames[0]]);
    };
}
