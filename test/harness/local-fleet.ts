/** YAML for small local-connection test fleets: one Fleet with loopback gateways, one Host `h` whose home is ../home. */
export const LOCAL_FLEET = (name: string) => `apiVersion: clawctl.dev/v1
kind: Fleet
metadata: {name: ${name}}
spec:
  defaults:
    config: {gateway: {mode: local, bind: loopback}}`;

export const LOCAL_HOST = `apiVersion: clawctl.dev/v1
kind: Host
metadata: {name: h}
spec: {local: {home: ../home}, service: none}`;
