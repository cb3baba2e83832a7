#pragma once

// The two pictures vik keeps apart: the actual picture and the exercise picture (signals with CAP
// status Exercise), never mixed. Decisions are made on this enum; the names are the API's and the
// database's ("actual", "exercise"). Pure.

#include <optional>
#include <string_view>

namespace vik::domain {

enum class Picture { kActual, kExercise };

constexpr std::string_view PictureName(Picture p) { return p == Picture::kExercise ? "exercise" : "actual"; }

// "actual" or "exercise"; nullopt for anything else (callers say what they expected).
constexpr std::optional<Picture> ParsePicture(std::string_view name) {
  if (name == "actual") {
    return Picture::kActual;
  }
  if (name == "exercise") {
    return Picture::kExercise;
  }
  return std::nullopt;
}

}  // namespace vik::domain
