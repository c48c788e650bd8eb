// `ravine/browser`: the same public API as `ravine`, which the build bundles into this one file with
// its dependency (@assemblyscript/loader), so that a page with no bundler and no import map can load
// it: `import { createRavine } from './node_modules/ravine/dist/browser/ravine.js'`. It sits two
// folders below the package root, as dist/backend/wasm.js does, so the wasm's URL stays the same.
export * from '../index.js';
