#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "records/records.h"

namespace vigie::cli {
namespace {

Result<std::vector<std::string>> ReadLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read surname list " + path.string());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

int RunGenerate(const GenerateOptions& options) {
  auto surnames = ReadLines(options.surnames);
  if (!surnames) return ReportError(surnames.error());
  std::ofstream out(options.out, std::ios::trunc | std::ios::binary);
  if (!out) {
    return ReportError(Error(ErrorCode::kUnavailable, "cannot write " + options.out.string()));
  }
  records::GeneratorOptions generator_options;
  generator_options.seed = options.seed;
  records::PopulationGenerator generator(generator_options, std::move(*surnames));
  ProgressLine progress("generating");
  uint64_t notices = 0, entries = 0;
  std::string buffer;
  for (uint64_t i = 0; i < options.persons; ++i) {
    auto g = generator.Make(i);
    buffer += records::ToJsonLine(g.person);
    buffer += '\n';
    for (const auto& n : g.notices) (buffer += records::ToJsonLine(n)) += '\n';
    for (const auto& e : g.entries) (buffer += records::ToJsonLine(e)) += '\n';
    notices += g.notices.size();
    entries += g.entries.size();
    if (buffer.size() > (1 << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
    progress.Update(i + 1, options.persons, "persons");
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.close();
  progress.Finish();
  if (!out) {
    return ReportError(Error(ErrorCode::kUnavailable, "writing " + options.out.string() + " failed"));
  }
  std::printf("Generated %llu persons, %llu wanted notices, %llu record entries into %s\n",
              static_cast<unsigned long long>(options.persons),
              static_cast<unsigned long long>(notices), static_cast<unsigned long long>(entries),
              options.out.c_str());
  return 0;
}

}  // namespace vigie::cli
