// An argv: the program and its words, run without a shell by runCommand.
// Every builder under commands/ (and every other module that declares a
// function returning Argv) is walked by test/unit/hostileStrings.test.ts,
// found by that return type, not by a list.
export type Argv = string[];
