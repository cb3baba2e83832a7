// vikd: the regional safety information hub. Everything happens in app::RunCli.

#include "app/cli.h"

int main(int argc, char** argv) { return vik::app::RunCli(argc, argv); }
