#pragma once

// The vikd command line: `vikd serve|migrate|version|help [flags]`.
// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.

namespace vik::app {

int RunCli(int argc, char** argv);

}  // namespace vik::app
