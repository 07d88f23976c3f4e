/**
 * Environment every managed gateway gets: clawctl owns openclaw.json, so OpenClaw's own
 * doctor, onboard and update must not rewrite it behind clawctl's back.
 */
export const MANAGED_ENV: Readonly<Record<string, string>> = { OPENCLAW_CONFIG_READONLY: '1' };
