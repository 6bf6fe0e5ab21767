// vgi: the grid-level vehicle-grid interaction control support system. One binary, subcommands.
#include <cstdio>

#include "commands.hpp"

namespace {

// The build targets x86-64-v3 + PCLMUL (cmake/vgi.cmake); say so plainly instead of dying with
// SIGILL on an older CPU.
bool CpuSupportsBuild() {
#if defined(__x86_64__) && defined(__AVX2__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("pclmul");
#else
  return true;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  if (!CpuSupportsBuild()) {
    std::fputs("vgi: this CPU lacks AVX2/BMI2/PCLMUL, which this build requires.\n"
               "     Rebuild with -DVGI_ARCH_FLAGS= (slower JSON parsing) or run on a newer x86-64 server.\n",
               stderr);
    return 1;
  }
  CLI::App app{"vgi — grid-level vehicle-grid interaction control support system (T/CES access protocol)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  int exit_code = vgi::app::kExitOk;
  vgi::app::RegisterEnvelope(app, &exit_code);
  vgi::app::RegisterSelfCheck(app, &exit_code);
  vgi::app::RegisterVersion(app, &exit_code);
  vgi::app::RegisterServe(app, &exit_code);
  vgi::app::RegisterPeer(app, &exit_code);
  vgi::app::RegisterBench(app, &exit_code);
  vgi::app::RegisterTask(app, &exit_code);
  vgi::app::RegisterSim(app, &exit_code);
  vgi::app::RegisterDemo(app, &exit_code);
  vgi::app::RegisterDemand(app, &exit_code);
  vgi::app::RegisterPotential(app, &exit_code);
  vgi::app::RegisterUser(app, &exit_code);
  vgi::app::RegisterTopology(app, &exit_code);
  vgi::app::RegisterDb(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints what is wrong (or the help); every usage error exits 2.
    return app.exit(e) == 0 ? vgi::app::kExitOk : vgi::app::kExitUsage;
  }
  return exit_code;
}
