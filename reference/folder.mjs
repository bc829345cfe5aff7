// What generate.mjs and bench.mjs share: opening an LFM2-VL ONNX folder offline, and the one hook
// for this project's "split" layout. A split folder has onnx/projector.onnx and a vision_encoder
// that stops before the projector; transformers.js knows no projector session, so for such folders
// (only) the projector is chained after transformers.js's own vision_encoder session. Everything
// else (processor, chat template, prompt expansion, embedding merge, cache protocol) is transformers.js.
import path from 'node:path';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { env, Tensor } from '@huggingface/transformers';

/** Points transformers.js at the folder, local files only; returns its absolute path and model name. */
export function openFolder(modelDir) {
    const folder = path.resolve(modelDir);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = path.dirname(folder) + path.sep;
    return { folder, name: path.basename(folder) };
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
