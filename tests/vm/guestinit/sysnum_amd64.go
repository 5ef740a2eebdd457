package main

// sysFinitModule is finit_module(2) on x86-64: the syscall package does
// not name it on every machine.
const sysFinitModule = 313
