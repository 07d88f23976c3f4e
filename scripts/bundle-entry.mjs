// The bundle's entry for bin/run.js (scripts/build-bundle.mjs): oclif's runner, shared with
// the bundled commands so that one oclif is loaded.
export { execute } from '@oclif/core';
