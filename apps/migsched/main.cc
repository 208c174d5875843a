// The migsched executable: thin wiring to cli::RunCli.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  return migsched::cli::RunCli(argc, argv, std::cout, std::cerr);
}
