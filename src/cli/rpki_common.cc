#include "cli/rpki_common.h"

#include <cstdio>

#include "rpki/slurm.h"

namespace vigia::cli {

bool LoadVrpFiles(const std::vector<std::string>& files, rpki::VrpSet* vrps, bool* skipped,
                  const std::vector<std::string>& slurm_files) {
  bool any = false;
  for (const std::string& f : files) {
    const size_t before = vrps->problems().kept().size();
    const size_t before_count = vrps->problems().count();
    Status s = vrps->LoadFile(f);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      *skipped = true;
      continue;
    }
    any = true;
    for (size_t i = before; i < vrps->problems().kept().size(); ++i) {
      const LoadProblem& p = vrps->problems().kept()[i];
      std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
    }
    if (vrps->problems().count() > before_count) *skipped = true;
  }
  if (!any) return false;
  std::vector<rpki::Slurm> slurms;
  for (const std::string& f : slurm_files) {
    auto s = rpki::Slurm::LoadFile(f);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.status().message().c_str());
      return false;
    }
    slurms.push_back(std::move(s).value());
  }
  if (Status st = rpki::Slurm::CheckOverlap(slurms); !st.ok()) {
    std::fprintf(stderr, "vigia: %s\n", st.message().c_str());
    return false;
  }
  for (const rpki::Slurm& s : slurms) {
    const rpki::Slurm::Applied a = s.Apply(vrps);
    std::fprintf(stderr,
                 "vigia: %s: %zu VRPs filtered, %zu asserted; %zu ASPAs filtered, %zu asserted\n",
                 s.name.c_str(), a.vrps_filtered, a.vrps_added, a.aspas_filtered, a.aspas_added);
  }
  return true;
}

CLI::Option* AddFilesOption(CLI::App* cmd, const std::string& name, std::vector<std::string>* files,
                            const std::string& help) {
  return cmd->add_option(name, *files, help + "; repeat the option or separate with commas")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',');
}

void AddSlurmOption(CLI::App* cmd, std::vector<std::string>* slurm_files) {
  AddFilesOption(cmd, "--slurm", slurm_files,
                 "SLURM files (RFC 8416; version 2 with ASPA members) applied to the VRPs");
}

}  // namespace vigia::cli
