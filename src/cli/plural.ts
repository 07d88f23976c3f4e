/** "1 agent", "2 agents", "1 policy", "3 policies": counts as a person writes them. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
