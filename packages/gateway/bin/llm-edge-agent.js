#!/usr/bin/env node
// The `llm-edge-agent` command. It lives outside lib/ so that `pnpm install` in a fresh clone,
// before the first build, can link it (a bin that names a build output cannot be linked yet).
import '../lib/main.js';
