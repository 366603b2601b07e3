#!/usr/bin/env node
// The npm bin: a committed file (npm links it at install, before any build), running the compiled CLI.
import '../dist/src/main.js';
