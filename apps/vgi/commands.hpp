#pragma once
// The vgi subcommands. Each Register* adds its subcommand to the app; the callback runs it and
// stores the process exit code in *exit_code. Errors are printed for a person: what failed and
// what to do about it.

#include <CLI/CLI.hpp>

namespace vgi::app {

void RegisterEnvelope(CLI::App& app, int* exit_code);
void RegisterSelfCheck(CLI::App& app, int* exit_code);
void RegisterVersion(CLI::App& app, int* exit_code);
void RegisterServe(CLI::App& app, int* exit_code);
void RegisterPeer(CLI::App& app, int* exit_code);
void RegisterBench(CLI::App& app, int* exit_code);
void RegisterTask(CLI::App& app, int* exit_code);  // task, outbox, alarm
void RegisterSim(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterDemand(CLI::App& app, int* exit_code);  // demand, settlement
void RegisterPotential(CLI::App& app, int* exit_code);
void RegisterUser(CLI::App& app, int* exit_code);  // user, audit
void RegisterTopology(CLI::App& app, int* exit_code);
void RegisterDb(CLI::App& app, int* exit_code);  // db fold

// Exit codes shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the checked thing is wrong (bad message, failed check)
inline constexpr int kExitUsage = 2;   // the command line or its inputs are wrong

}  // namespace vgi::app
