import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Kind } from './manifests.js';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}`, 'utf8')) as Record<string, unknown>;
}

let compiled: Record<Kind, ValidateFunction> | undefined;

/** The manifest validators, compiled once per process from schemas/ (the single source). */
export function manifestValidators(): Record<Kind, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.addSchema(readSchema('common.schema.json'));
  compiled = {
    Fleet: ajv.compile(readSchema('fleet.schema.json')),
    Host: ajv.compile(readSchema('host.schema.json')),
    Agent: ajv.compile(readSchema('agent.schema.json')),
    Policy: ajv.compile(readSchema('policy.schema.json')),
  };
  return compiled;
}

export type SchemaError = ErrorObject;
