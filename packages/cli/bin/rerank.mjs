#!/usr/bin/env node
// Runs the TypeScript sources directly (the workspace exports source); a published build would point at dist/.
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
