// Drives an LFM2-VL ONNX folder with transformers.js 4.3.1 exactly as its users do, offline:
//   node reference/generate.mjs MODEL_DIR MAX_NEW_TOKENS IMAGE...
// Prints one JSON line per image: {"image", "input_ids_length", "image_tokens", "token_ids"} (greedy).
// A folder in this project's "split" layout has onnx/projector.onnx and a vision_encoder that stops
// before the projector; transformers.js knows no projector session, so for such folders (only) this
// script chains the projector after transformers.js's own vision_encoder session. Everything else
// (processor, chat template, prompt expansion, embedding merge, cache protocol) is transformers.js.
import path from 'node:path';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { env, AutoProcessor, AutoModelForImageTextToText, RawImage, Tensor } from '@huggingface/transformers';

const [modelDir, maxNewTokensArg, ...images] = process.argv.slice(2);
if (!modelDir || !maxNewTokensArg || images.length === 0) {
    console.error('usage: node generate.mjs MODEL_DIR MAX_NEW_TOKENS IMAGE...');
    process.exit(2);
}
const folder = path.resolve(modelDir);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(folder) + path.sep;
const name = path.basename(folder);

const processor = await AutoProcessor.from_pretrained(name);
const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });

const projectorFile = path.join(folder, 'onnx', 'projector.onnx');
if (fs.existsSync(projectorFile)) {
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

const imageTokenId = model.config.image_token_id ?? model.config.image_token_index;
for (const file of images) {
    const image = await RawImage.read(file);
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] }];
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    const inputs = await processor(image, text);
    const promptLength = inputs.input_ids.dims.at(-1);
    const output = await model.generate({ ...inputs, max_new_tokens: Number(maxNewTokensArg), do_sample: false });
    const ids = Array.from(output.data, (v) => Number(v));
    const prompt = Array.from(inputs.input_ids.data, (v) => Number(v));
    console.log(JSON.stringify({
        image: path.basename(file),
        input_ids_length: promptLength,
        image_tokens: prompt.filter((t) => t === imageTokenId).length,
        prompt_token_ids: prompt,
        token_ids: ids.slice(promptLength),
    }));
}
await model.dispose();
