#!/usr/bin/env node
import { main } from "../dist/kbackport.js";

process.exitCode = await main(process.argv);
