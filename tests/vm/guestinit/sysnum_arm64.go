package main

// sysFinitModule is finit_module(2) on arm64 (the generic syscall table): the syscall package does
// not name it on every machine.
const sysFinitModule = 273
