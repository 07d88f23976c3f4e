/**
 * The engine never prints. It emits these events; the text, JSON and progress views
 * decide what a person or a script sees (Terraform's hook interface).
 */
export type EngineEvent =
  | { type: 'openclaw-fetch'; version: string; dir: string }
  | { type: 'openclaw-bundle'; version: string; arch: string }
  | { type: 'host-observe-start'; host: string }
  | { type: 'host-observed'; host: string; ok: boolean; error?: string }
  | { type: 'host-action-done'; host: string; action: string; ok: boolean; detail?: string }
  | { type: 'wave-soak'; wave: string; seconds: number; agents: string[] }
  | { type: 'agent-apply-start'; agent: string; host: string }
  | { type: 'action-done'; agent: string; action: string; ok: boolean; detail?: string }
  | { type: 'agent-health-wait'; agent: string; timeoutSeconds: number }
  | { type: 'agent-applied'; agent: string; ok: boolean; error?: string; rolledBack?: boolean };

export interface EngineHooks {
  emit(event: EngineEvent): void;
}
