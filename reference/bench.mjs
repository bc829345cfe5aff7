// Times transformers.js 4.3.1 on an LFM2-VL ONNX folder, the way its users run it, offline:
//   node reference/bench.mjs MODEL_DIR MAX_NEW_TOKENS ROUNDS [--processor-only] IMAGE...
// Preprocessing: after 3 s of warm-up rounds, every image is read (RawImage.read) and run through
// processor() ROUNDS times.
// Generation (unless --processor-only): every image once through processor() + generate() (greedy,
// batch 1: transformers.js's LFM2-VL generate() takes one image per call), after one warm-up call.
// Prints one JSON line: {"processor": {...}, "generate": {...}} with per-image times in ms.
// Folders get the same hooks of folder.mjs as in generate.mjs. TJS_DTYPE as in generate.mjs.
import path from 'node:path';
import { AutoProcessor, AutoModelForImageTextToText, RawImage } from '@huggingface/transformers';
import { openFolder, dtypeOption, attachProjector, castFloatInputs, MESSAGES } from './folder.mjs';

const args = process.argv.slice(2);
const processorOnly = args.includes('--processor-only');
const [modelDir, maxNewTokensArg, roundsArg, ...images] = args.filter((a) => a !== '--processor-only');
if (!modelDir || !maxNewTokensArg || !roundsArg || images.length === 0) {
    console.error('usage: node bench.mjs MODEL_DIR MAX_NEW_TOKENS ROUNDS [--processor-only] IMAGE...');
    process.exit(2);
}
const dtype = dtypeOption();
const { folder, name } = openFolder(modelDir, dtype);
const rounds = Math.max(1, Number(roundsArg));
const maxNewTokens = Number(maxNewTokensArg);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const processor = await AutoProcessor.from_pretrained(name);
const text = processor.apply_chat_template(MESSAGES, { add_generation_prompt: true });

// decode + preprocess + tokenize, the same work as the Java engine's RequestPreparer
async function prepare(file) {
    const image = await RawImage.read(file);
    return processor(image, text);
}

// warm-up (JIT, lazy tables): rounds over the images for 3 s, as the Java side does (BenchCommand.WARM_UP_MILLIS)
const warmUntil = process.hrtime.bigint() + 3_000_000_000n;
do {
    for (const file of images) {
        await prepare(file);
    }
} while (process.hrtime.bigint() < warmUntil);
const processorMs = [];
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
    for (const file of images) {
        const t = process.hrtime.bigint();
        await prepare(file);
        processorMs.push(ms(t));
    }
}
const processorTotal = ms(t0);
const report = { processor: { images: processorMs.length, total_ms: processorTotal, per_image_ms: processorMs } };

if (!processorOnly) {
    const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype, device: 'cpu' });
    castFloatInputs(model);
    await attachProjector(model, folder);
    const run = async (file) => {
        const inputs = await prepare(file);
        const output = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false });
        return { prompt: inputs.input_ids.dims.at(-1), generated: output.dims.at(-1) - inputs.input_ids.dims.at(-1) };
    };
    await run(images[0]); // warm-up: session initialisation and first-run allocations
    const perImage = [];
    const g0 = process.hrtime.bigint();
    for (const file of images) {
        const t = process.hrtime.bigint();
        const r = await run(file);
        perImage.push({ image: path.basename(file), ms: ms(t), prompt_tokens: r.prompt, new_tokens: r.generated });
    }
    report.generate = { images: perImage.length, total_ms: ms(g0), per_image: perImage };
    await model.dispose();
}
console.log(JSON.stringify(report));
