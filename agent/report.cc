#include "agent/report.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "base/file_io.h"
#include "base/json.h"
#include "base/status_macros.h"
#include "envs/scenes/scene_language.h"

namespace calico {
namespace {

// `text` (model output, names from files) safe inside a Markdown table cell: a `|` would
// start a new column, and `<` or `&` would be raw HTML in viewers that render it.
std::string MarkdownCell(absl::string_view raw) {
  const std::string text = ValidUtf8(raw);
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double v) { return std::isfinite(v) ? absl::StrFormat("%.6g", v) : "null"; }

// "20 seeded episodes (or held-out scenes) per task", or, where the suite sets counts
// per task (ReportInfo::episodes 0), that each task has its own.
std::string EpisodesPerTask(const ReportInfo& info) {
  if (info.episodes > 0) return absl::StrCat(info.episodes, " seeded episodes (or held-out scenes) per task");
  return "seeded episodes (or held-out scenes) as the suite sets them per task (each task's count is in report.json)";
}

// A task's prompt in report.json: null, or where the demonstration came from.
std::string PromptJson(const std::optional<PromptSource>& prompt) {
  if (!prompt.has_value()) return "null";
  return absl::StrCat("{\"dataset\": ", JsonQuote(prompt->dataset), ", \"seed\": ", prompt->seed,
                      ", \"policy\": ", JsonQuote(prompt->policy), ", \"steps\": ", prompt->steps,
                      ", \"return\": ", Num(prompt->episode_return), "}");
}

std::string EstimateJson(const Estimate& e) {
  return absl::StrCat("{\"value\": ", Num(e.value), ", \"ci95\": [", Num(e.low), ", ", Num(e.high), "]}");
}

constexpr char kTextScoresNote[] =
    "Vision-language tasks: percent of held-out scenes (seeds from the suite's first_seed) answered exactly (VQA "
    "accuracy, caption exact match, per question type and per object count) with Wilson 95% intervals, and the "
    "mean token-level and attribute (size, colour, shape words only) F1 of captions with bootstrap 95% intervals. "
    "VQA answers come after the model's own description of the scene: \"described exactly\" is how often that "
    "description is the scene's caption, \"accuracy (described exactly)\" the accuracy on those scenes. "
    "scenes/vqa_text asks the same questions with the scene's caption given as text and no image (its \"described "
    "as\" is that given caption). "
    "These are not expert-normalised scores and are not part of the mean, median or IQM.";

// Examples shown per vision-language task in report.md and report.html (report.json has all).
constexpr size_t kShownExamples = 8;

std::string TextTasksJson(const SuiteScores& scores) {
  std::string json = "[\n";
  for (size_t i = 0; i < scores.text_tasks.size(); ++i) {
    const TextTaskScore& t = scores.text_tasks[i];
    absl::StrAppend(&json, "    {\"task\": ", JsonQuote(t.task), ", \"metrics\": [");
    for (size_t m = 0; m < t.metrics.size(); ++m) {
      absl::StrAppend(&json, m ? ", " : "", "{\"name\": ", JsonQuote(t.metrics[m].name), ", \"scenes\": ",
                      t.metrics[m].count, ", \"percent\": ", EstimateJson(t.metrics[m].value), "}");
    }
    absl::StrAppend(&json, "],\n     \"examples\": [");
    for (size_t e = 0; e < t.examples.size(); ++e) {
      const TextExample& x = t.examples[e];
      absl::StrAppend(&json, e ? ",\n       " : "\n       ", "{\"seed\": ", x.seed, ", \"kind\": ", JsonQuote(x.kind),
                      ", \"question\": ", JsonQuote(x.question), ", \"expected\": ", JsonQuote(x.expected),
                      ", \"answer\": ", JsonQuote(x.answer), ", \"working\": ", JsonQuote(x.working),
                      ", \"caption\": ", JsonQuote(x.caption),
                      ", \"expected_caption\": ", JsonQuote(x.expected_caption), ", \"exact\": ", x.exact ? "true" : "false",
                      ", \"f1\": ", Num(x.f1), ", \"objects\": ", x.objects, "}");
    }
    absl::StrAppend(&json, "]}", i + 1 < scores.text_tasks.size() ? ",\n" : "\n");
  }
  return json + "  ]";
}

std::string Html(const std::string& s) {
  // The page declares UTF-8; a path or metrics name with other bytes must not break it.
  return absl::StrReplaceAll(ValidUtf8(s), {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

// Horizontal bars of per-task scores (0 and 100 marked) with 95% whiskers.
std::string ScoreChart(const SuiteScores& scores) {
  const int row = 26, left = 260, width = 420, top = 30;
  double lo = 0, hi = 100;
  for (const TaskScore& t : scores.tasks) {
    lo = std::min(lo, t.score.low);
    hi = std::max(hi, t.score.high);
  }
  const double span = hi - lo;
  auto x = [&](double v) { return left + (v - lo) / span * width; };
  const int height = top + row * static_cast<int>(scores.tasks.size() + 3) + 20;
  std::string svg = absl::StrFormat(
      "<svg id=\"scores\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n",
      left + width + 80, height);
  for (double mark : {0.0, 100.0}) {
    absl::StrAppend(&svg, absl::StrFormat("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" "
                                          "stroke-dasharray=\"4,3\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                                          x(mark), top - 8, x(mark), height - 20, x(mark), top - 12,
                                          mark == 0 ? "random 0" : "expert 100"));
  }
  auto bar = [&](int i, const std::string& label, const Estimate& e, const char* colour) {
    const int y = top + i * row;
    absl::StrAppend(&svg, absl::StrFormat(
                              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                              "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.5\"/>"
                              "<text x=\"%.1f\" y=\"%d\">%.1f</text>\n",
                              left - 8, y + 15, Html(label), std::min(x(0), x(e.value)), y + 3,
                              std::fabs(x(e.value) - x(0)), row - 8, colour, x(e.low), y + row / 2, x(e.high),
                              y + row / 2, std::max(x(e.high), x(e.value)) + 6, y + 15, e.value));
  };
  int i = 0;
  for (const TaskScore& t : scores.tasks) bar(i++, t.task, t.score, "#4a90d9");
  bar(i++, "mean", scores.mean, "#e08a2c");
  bar(i++, "median", scores.median, "#e08a2c");
  bar(i++, "IQM", scores.iqm, "#e08a2c");
  return svg + "</svg>\n";
}

std::string CurveChart(const std::string& name, const std::vector<std::pair<double, double>>& points) {
  const int w = 560, h = 220, pad = 40;
  double x0 = points.front().first, x1 = points.front().first, y0 = points.front().second, y1 = y0;
  for (const auto& [x, y] : points) {
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  // Halves: the span of two finite doubles can overflow (1.7e308 - -1.7e308); half of it
  // cannot.
  auto fraction = [](double v, double low, double high) {
    const double span = high / 2 - low / 2;  // 0 only where +1 vanished in rounding (|x| > 2^53)
    return span > 0 ? (v / 2 - low / 2) / span : 0.0;
  };
  std::vector<std::string> coords;
  for (const auto& [x, y] : points) {
    coords.push_back(absl::StrFormat("%.1f,%.1f", pad + fraction(x, x0, x1) * (w - 2 * pad),
                                     h - pad - fraction(y, y0, y1) * (h - 2 * pad)));
  }
  return absl::StrFormat(
      "<figure><svg class=\"curve\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\" "
      "font-family=\"sans-serif\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>"
      "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"%s\"/>"
      "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" "
      "text-anchor=\"end\">step %s</text></svg><figcaption>%s</figcaption></figure>\n",
      w, h, pad, pad, w - 2 * pad, h - 2 * pad, absl::StrJoin(coords, " "), 2, pad, Num(y1), 2, h - pad, Num(y0),
      w - pad, h - pad + 16, Num(x1), Html(name));
}

}  // namespace

// Whether any task's actions were sampled from a model: then the tables get an
// "actions" column saying how.
static bool AnyActionTemperature(const SuiteScores& scores) {
  for (const TaskScore& t : scores.tasks) {
    if (t.action_temperature.has_value()) return true;
  }
  return false;
}

// Whether any task's policy was prompted: then the tables get a "prompt" column.
static bool AnyPrompt(const SuiteScores& scores) {
  for (const TaskScore& t : scores.tasks) {
    if (t.prompt.has_value()) return true;
  }
  return false;
}

std::string TemperatureName(double temperature) {
  return temperature == 0 ? std::string("greedy") : absl::StrFormat("T=%g", temperature);
}

// "greedy", "T=0.5", or "" for a policy that does not sample from a model.
static std::string ActionDecoding(const TaskScore& t) {
  return t.action_temperature.has_value() ? TemperatureName(*t.action_temperature) : "";
}

std::string PromptName(const std::optional<PromptSource>& prompt) {
  if (!prompt.has_value()) return "none";
  return absl::StrFormat("seed %d, %d steps, return %.2f", prompt->seed, prompt->steps, prompt->episode_return);
}

// The datasets the tasks' prompts came from, each once, in task order.
static std::vector<std::string> PromptDatasets(const SuiteScores& scores) {
  std::vector<std::string> out;
  for (const TaskScore& t : scores.tasks) {
    if (t.prompt.has_value() && std::find(out.begin(), out.end(), t.prompt->dataset) == out.end()) {
      out.push_back(t.prompt->dataset);
    }
  }
  return out;
}

// What the "prompt" column means, for report.md and report.html; empty without prompts.
static std::string PromptNote(const SuiteScores& scores) {
  const std::vector<std::string> datasets = PromptDatasets(scores);
  if (datasets.empty()) return "";
  return absl::StrCat("Prompts: before every episode the policy prefilled the last timesteps (as many as fit in "
                      "half its context) of the demonstration in the \"prompt\" column, the first episode of the "
                      "task in ",
                      absl::StrJoin(datasets, ", "), ".");
}

static std::string ControlScoreTable(const SuiteScores& scores) {
  if (scores.tasks.empty()) return "";
  const bool actions = AnyActionTemperature(scores), prompts = AnyPrompt(scores);
  std::string out = absl::StrCat("| task | ", actions ? "actions | " : "", prompts ? "prompt | " : "",
                                 "mean return | std | score | 95% interval |\n|---|", actions ? "---|" : "",
                                 prompts ? "---|" : "", "---:|---:|---:|---|\n");
  for (const TaskScore& t : scores.tasks) {
    absl::StrAppend(&out, "| ", t.task, " | ", actions ? absl::StrCat(ActionDecoding(t), " | ") : "",
                    prompts ? absl::StrCat(PromptName(t.prompt), " | ") : "",
                    absl::StrFormat("%.2f | %.2f | %.1f | [%.1f, %.1f] |\n", t.mean_return, t.stddev_return,
                                    t.score.value, t.score.low, t.score.high));
  }
  for (const auto& [name, e] : std::vector<std::pair<std::string, Estimate>>{
           {"mean", scores.mean}, {"median", scores.median}, {"IQM", scores.iqm}}) {
    absl::StrAppend(&out, absl::StrFormat("| **%s** | %s%s| | **%.1f** | [%.1f, %.1f] |\n", name, actions ? "| " : "",
                                          prompts ? "| " : "", e.value, e.low, e.high));
  }
  return out;
}

static std::string TextScoreTable(const SuiteScores& scores) {
  if (scores.text_tasks.empty()) return "";
  std::string out = "| task | metric | scenes | % | 95% interval |\n|---|---|---:|---:|---|\n";
  for (const TextTaskScore& t : scores.text_tasks) {
    for (const TextMetric& m : t.metrics) {
      absl::StrAppend(&out, absl::StrFormat("| %s | %s | %d | %.1f | [%.1f, %.1f] |\n", t.task, m.name, m.count,
                                            m.value.value, m.value.low, m.value.high));
    }
  }
  return out;
}

std::string TemperatureChoiceTable(const std::vector<TemperatureChoice>& choices) {
  if (choices.empty()) return "";
  std::string header = "| task |", rule = "|---|";
  for (double t : choices.front().candidates) {
    absl::StrAppend(&header, " ", TemperatureName(t), " |");
    rule += "---:|";
  }
  std::string out = absl::StrCat(header, " chosen |\n", rule, "---|\n");
  for (const TemperatureChoice& choice : choices) {
    absl::StrAppend(&out, "| ", choice.task, " |");
    for (double r : choice.mean_returns) absl::StrAppend(&out, absl::StrFormat(" %.2f |", r));
    absl::StrAppend(&out, " ", TemperatureName(choice.chosen), " |\n");
  }
  return out;
}


std::string ScoreTable(const SuiteScores& scores) {
  std::string out = ControlScoreTable(scores);
  if (!scores.text_tasks.empty()) {
    if (!out.empty()) out += "\n";
    absl::StrAppend(&out, kTextScoresNote, "\n\n", TextScoreTable(scores));
  }
  return out;
}

// How WriteReport begins each file; CheckReportFilesReplaceable recognises earlier
// reports by these, so the writers below start with them.
constexpr char kJsonStart[] = "{\n  \"title\": ";
constexpr char kMarkdownStart[] = "# ";
constexpr char kMarkdownPolicy[] = "\n\nPolicy: ";  // after the title line
constexpr char kHtmlStart[] = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";

absl::Status WriteReport(const std::string& directory, const SuiteScores& scores, const ReportInfo& info) {
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("cannot create report directory '", directory, "': ", std::strerror(errno)));
  }
  // report.json
  std::string json = absl::StrCat(kJsonStart, JsonQuote(info.title), ",\n  \"policy\": ", JsonQuote(info.policy),
                                  ",\n  \"suite\": ", JsonQuote(info.suite), ",\n  \"first_seed\": ",
                                  info.first_seed.has_value() ? absl::StrCat(*info.first_seed) : std::string("null"),
                                  ",\n  \"episodes_per_task\": ", info.episodes > 0 ? absl::StrCat(info.episodes) : std::string("null"),
                                  ",\n  \"tasks\": [\n");
  for (size_t i = 0; i < scores.tasks.size(); ++i) {
    const TaskScore& t = scores.tasks[i];
    absl::StrAppend(&json, "    {\"task\": ", JsonQuote(t.task), ", \"mean_return\": ", Num(t.mean_return),
                    ", \"stddev_return\": ", Num(t.stddev_return), ", \"score\": ", EstimateJson(t.score),
                    ", \"random_reference\": ", Num(t.reference.random_mean), ", \"expert_reference\": ",
                    Num(t.reference.expert_mean), ", \"action_temperature\": ",
                    t.action_temperature.has_value() ? Num(*t.action_temperature) : std::string("null"),
                    ", \"prompt\": ", PromptJson(t.prompt), ", \"episodes\": ", t.returns.size(),
                    ", \"returns\": [",
                    absl::StrJoin(t.returns, ", ", [](std::string* out, double r) { out->append(Num(r)); }), "]}",
                    i + 1 < scores.tasks.size() ? ",\n" : "\n");
  }
  if (scores.tasks.empty()) {
    absl::StrAppend(&json, "  ],\n  \"aggregate\": null");
  } else {
    absl::StrAppend(&json, "  ],\n  \"aggregate\": {\"mean\": ", EstimateJson(scores.mean), ", \"median\": ",
                    EstimateJson(scores.median), ", \"iqm\": ", EstimateJson(scores.iqm), "}");
  }
  absl::StrAppend(&json, ",\n  \"temperature_choice\": ");
  if (info.temperature_choices.empty()) {
    json += "null";
  } else {
    absl::StrAppend(&json, "{\"first_seed\": ", info.choice_first_seed, ", \"episodes\": ", info.choice_episodes,
                    ", \"tasks\": [");
    for (size_t k = 0; k < info.temperature_choices.size(); ++k) {
      const TemperatureChoice& c = info.temperature_choices[k];
      auto nums = [](const std::vector<double>& v) {
        return absl::StrJoin(v, ", ", [](std::string* out, double x) { out->append(Num(x)); });
      };
      absl::StrAppend(&json, k ? ",\n    " : "\n    ", "{\"task\": ", JsonQuote(c.task), ", \"candidates\": [",
                      nums(c.candidates), "], \"mean_returns\": [", nums(c.mean_returns), "], \"chosen\": ",
                      Num(c.chosen), "}");
    }
    json += "]}";
  }
  absl::StrAppend(&json, ",\n  \"vision_language_note\": ", JsonQuote(kTextScoresNote),
                  ",\n  \"vision_language\": ", TextTasksJson(scores), "\n}\n");
  RETURN_IF_ERROR(WriteFileAtomically(directory + "/report.json", json));

  // report.md
  std::string md = absl::StrCat(kMarkdownStart, MarkdownCell(info.title), kMarkdownPolicy, MarkdownCell(info.policy),
                                ". Suite: ", MarkdownCell(info.suite), ", ",
                                EpisodesPerTask(info), ".");
  if (!scores.tasks.empty()) {
    absl::StrAppend(&md, " Control scores are 100 * (R - random) / (expert - random); intervals are stratified "
                         "bootstrap 95%.\n\n", ControlScoreTable(scores));
    if (const std::string note = PromptNote(scores); !note.empty()) absl::StrAppend(&md, "\n", MarkdownCell(note), "\n");
  } else {
    md += "\n";
  }
  const std::string choice_note =
      info.temperature_choices.empty()
          ? std::string()
          : absl::StrCat("Each task's action temperature was chosen as the one with the highest mean return over ",
                         info.choice_episodes, " validation episodes (seeds ", info.choice_first_seed, "..",
                         info.choice_first_seed + info.choice_episodes - 1, "), not the scored ones:");
  if (!choice_note.empty()) {
    absl::StrAppend(&md, "\n## Action temperatures\n\n", choice_note, "\n\n",
                    TemperatureChoiceTable(info.temperature_choices));
  }
  if (!scores.text_tasks.empty()) {
    absl::StrAppend(&md, "\n## Vision-language\n\n", kTextScoresNote, "\n\n", TextScoreTable(scores));
    for (const TextTaskScore& t : scores.text_tasks) {
      absl::StrAppend(&md, "\nFirst scenes of ", t.task,
                      ":\n\n| seed | question | expected | answer | exact | described as |\n|---:|---|---|---|---|---|\n");
      for (size_t e = 0; e < std::min(kShownExamples, t.examples.size()); ++e) {
        const TextExample& x = t.examples[e];
        absl::StrAppend(&md, "| ", x.seed, " | ", MarkdownCell(x.question), " | ", MarkdownCell(x.expected), " | ",
                        MarkdownCell(JoinAnswer(x.working, x.answer)), " | ", x.exact ? "yes" : "no", " | ",
                        MarkdownCell(x.caption), " |\n");
      }
    }
  }
  RETURN_IF_ERROR(WriteFileAtomically(directory + "/report.md", md));

  // report.html
  std::string html = absl::StrCat(
      kHtmlStart, Html(info.title),
      "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}"
      "figure{display:inline-block;margin:8px}</style></head>\n<body>\n<h1>",
      Html(info.title), "</h1>\n<p>Policy: <b>", Html(info.policy), "</b>. Suite: ", Html(info.suite), ", ",
      EpisodesPerTask(info), ".</p>\n");
  const bool actions = AnyActionTemperature(scores), prompts = AnyPrompt(scores);
  if (!scores.tasks.empty()) {
    absl::StrAppend(&html, "<h2>Scores</h2>\n", ScoreChart(scores), "<table id=\"score-table\"><tr><th>task</th>",
                    actions ? "<th>actions</th>" : "", prompts ? "<th>prompt</th>" : "",
                    "<th>mean return</th><th>std</th><th>score</th><th>95% interval</th></tr>\n");
  }
  for (const TaskScore& t : scores.tasks) {
    absl::StrAppend(&html, "<tr><td>", Html(t.task), "</td>",
                    actions ? absl::StrCat("<td>", Html(ActionDecoding(t)), "</td>") : "",
                    prompts ? absl::StrCat("<td>", Html(PromptName(t.prompt)), "</td>") : "",
                    absl::StrFormat("<td>%.2f</td><td>%.2f</td><td>%.1f</td><td>[%.1f, %.1f]</td></tr>\n",
                                    t.mean_return, t.stddev_return, t.score.value, t.score.low, t.score.high));
  }
  if (!scores.tasks.empty()) {
    for (const auto& [name, e] : std::vector<std::pair<std::string, Estimate>>{
             {"mean", scores.mean}, {"median", scores.median}, {"IQM", scores.iqm}}) {
      absl::StrAppend(&html, "<tr><th>", name, "</th>", actions ? "<td></td>" : "", prompts ? "<td></td>" : "",
                      absl::StrFormat("<td></td><td></td><th>%.1f</th><td>[%.1f, %.1f]</td></tr>", e.value, e.low,
                                      e.high));
    }
    absl::StrAppend(&html, "</table>\n");
    if (const std::string note = PromptNote(scores); !note.empty()) {
      absl::StrAppend(&html, "<p id=\"prompt-note\">", Html(note), "</p>\n");
    }
  }
  if (!choice_note.empty()) {
    absl::StrAppend(&html, "<h2>Action temperatures</h2>\n<p>", Html(choice_note),
                    "</p>\n<table id=\"temperature-choice\"><tr><th>task</th>");
    for (double t : info.temperature_choices.front().candidates) {
      absl::StrAppend(&html, "<th>", Html(TemperatureName(t)), "</th>");
    }
    absl::StrAppend(&html, "<th>chosen</th></tr>\n");
    for (const TemperatureChoice& c : info.temperature_choices) {
      absl::StrAppend(&html, "<tr><td>", Html(c.task), "</td>");
      for (double r : c.mean_returns) absl::StrAppend(&html, absl::StrFormat("<td>%.2f</td>", r));
      absl::StrAppend(&html, "<td>", Html(TemperatureName(c.chosen)), "</td></tr>\n");
    }
    absl::StrAppend(&html, "</table>\n");
  }
  if (!scores.text_tasks.empty()) {
    absl::StrAppend(&html, "<h2>Vision-language</h2>\n<p class=\"note\">", Html(kTextScoresNote),
                    "</p>\n<table id=\"text-table\"><tr><th>task</th><th>metric</th><th>scenes</th><th>%</th>"
                    "<th>95% interval</th></tr>\n");
    for (const TextTaskScore& t : scores.text_tasks) {
      for (const TextMetric& m : t.metrics) {
        absl::StrAppend(&html, absl::StrFormat("<tr><td>%s</td><td>%s</td><td>%d</td><td>%.1f</td><td>[%.1f, "
                                               "%.1f]</td></tr>\n",
                                               Html(t.task), Html(m.name), m.count, m.value.value, m.value.low,
                                               m.value.high));
      }
    }
    absl::StrAppend(&html, "</table>\n");
    for (const TextTaskScore& t : scores.text_tasks) {
      absl::StrAppend(&html, "<h3>First scenes of ", Html(t.task), "</h3>\n<table class=\"text-examples\"><tr>"
                             "<th>seed</th><th>question</th><th>expected</th><th>answer</th><th>exact</th>"
                             "<th>described as</th></tr>\n");
      for (size_t e = 0; e < std::min(kShownExamples, t.examples.size()); ++e) {
        const TextExample& x = t.examples[e];
        absl::StrAppend(&html, "<tr><td>", x.seed, "</td><td>", Html(x.question), "</td><td>", Html(x.expected),
                        "</td><td>", Html(JoinAnswer(x.working, x.answer)), "</td><td>", x.exact ? "yes" : "no", "</td><td>",
                        Html(x.caption),
                        "</td></tr>\n");
      }
      absl::StrAppend(&html, "</table>\n");
    }
  }
  if (!info.curves.empty()) {
    absl::StrAppend(&html, "<h2>Training</h2>\n");
    for (const auto& [name, points] : info.curves) {
      if (!points.empty()) absl::StrAppend(&html, CurveChart(name, points));
    }
  }
  if (!info.videos.empty()) {
    absl::StrAppend(&html, "<h2>Rollouts</h2>\n");
    for (const auto& [task, path] : info.videos) {
      ASSIGN_OR_RETURN(std::string gif, ReadFile(path));
      absl::StrAppend(&html, "<figure><img class=\"rollout\" alt=\"", Html(task), "\" src=\"data:image/gif;base64,",
                      absl::Base64Escape(gif), "\"><figcaption>", Html(task), "</figcaption></figure>\n");
    }
  }
  absl::StrAppend(&html, "</body></html>\n");
  return WriteFileAtomically(directory + "/report.html", html);
}

absl::Status CheckReportFilesReplaceable(const std::string& directory) {
  for (const char* name : {"report.json", "report.md", "report.html"}) {
    const std::string path = absl::StrCat(directory, "/", name);
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) continue;
      return absl::PermissionDeniedError(absl::StrCat("report: cannot inspect '", path, "': ", std::strerror(errno)));
    }
    // Not a regular file: a directory is named by CheckFileWritable, and a symbolic link
    // is replaced by the atomic rename, its target kept.
    if (!S_ISREG(info.st_mode)) continue;
    // The title line is short: the first 64 KiB decide, and a huge stranger is not read whole.
    ASSIGN_OR_RETURN(const std::string start, ReadFilePrefix(path, 64 << 10));
    bool ours = false;
    const absl::string_view text = start;
    if (absl::string_view(name) == "report.json") {
      ours = absl::StartsWith(text, kJsonStart);
    } else if (absl::string_view(name) == "report.md") {
      const size_t line_end = text.find('\n');
      ours = absl::StartsWith(text, kMarkdownStart) && line_end != absl::string_view::npos &&
             absl::StartsWith(text.substr(line_end), kMarkdownPolicy);
    } else {
      ours = absl::StartsWith(text, kHtmlStart);
    }
    if (!ours) {
      return absl::FailedPreconditionError(
          absl::StrCat("report: '", path, "' exists and is not a calico report; refusing to replace it (move it, or "
                       "write the report to another directory)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace calico
