// Drives an LFM2-VL ONNX folder with transformers.js 4.3.1 exactly as its users do, offline:
//   node reference/generate.mjs MODEL_DIR MAX_NEW_TOKENS IMAGE...
// Prints one JSON line per image: {"image", "input_ids_length", "image_tokens", "token_ids"} (greedy).
// TJS_DTYPE picks the variant as users do: a dtype ("q4") or a JSON object per session
// ({"vision_encoder":"q4","embed_tokens":"fp16","decoder_model_merged":"q4"}); default fp32.
// Split-layout, liquid _q8 and float16-input folders get the hooks of folder.mjs; everything else is transformers.js.
import path from 'node:path';
import { AutoProcessor, AutoModelForImageTextToText, RawImage } from '@huggingface/transformers';
import { openFolder, dtypeOption, attachProjector, castFloatInputs, MESSAGES } from './folder.mjs';

const [modelDir, maxNewTokensArg, ...images] = process.argv.slice(2);
if (!modelDir || !maxNewTokensArg || images.length === 0) {
    console.error('usage: node generate.mjs MODEL_DIR MAX_NEW_TOKENS IMAGE...');
    process.exit(2);
}
const dtype = dtypeOption();
const { folder, name } = openFolder(modelDir, dtype);

const processor = await AutoProcessor.from_pretrained(name);
const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype, device: 'cpu' });

castFloatInputs(model);
await attachProjector(model, folder);

const imageTokenId = model.config.image_token_id ?? model.config.image_token_index;
for (const file of images) {
    const image = await RawImage.read(file);
    const text = processor.apply_chat_template(MESSAGES, { add_generation_prompt: true });
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
