// ParseTextIndexParams and the english stopword list (contracts in payload_index_text.h).
#include <algorithm>

#include "index/payload_index_text.h"

namespace quiver::index {
namespace {

Status Bad(const std::string& what) {
  return InvalidArgument("Bad request: text index: " + what);
}

Status AddLanguage(const Json& language, std::unordered_set<std::string>* words) {
  if (!language.is_string()) return Bad("a stopwords language must be a string");
  const std::string& name = language.as_string();
  if (name != "english" && name != "en") {
    return Bad("stopwords for language `" + name + "` are not supported (only english)");
  }
  words->insert(EnglishStopwords().begin(), EnglishStopwords().end());
  return Status::Ok();
}

StatusOr<std::optional<size_t>> ReadLength(const Json& schema, const char* key) {
  const Json* v = schema.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<size_t>();
  if (v->type() != Json::Type::kInt || v->as_int() < 0) {
    return Bad(std::string(key) + " must be a non-negative integer");
  }
  return std::optional<size_t>(static_cast<size_t>(v->as_int()));
}

StatusOr<bool> ReadBool(const Json& schema, const char* key, bool fallback) {
  const Json* v = schema.Find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) return Bad(std::string(key) + " must be a boolean");
  return v->as_bool();
}

}  // namespace

StatusOr<TextIndexParams> ParseTextIndexParams(const Json& schema) {
  TextIndexParams p;
  if (schema.is_null()) return p;
  if (!schema.is_object()) return Bad("params must be an object");
  if (const Json* t = schema.Find("tokenizer"); t && !t->is_null()) {
    std::string name = t->is_string() ? t->as_string() : "";
    if (name == "word") p.tokenizer = TextIndexParams::Tokenizer::kWord;
    else if (name == "whitespace") p.tokenizer = TextIndexParams::Tokenizer::kWhitespace;
    else if (name == "prefix") p.tokenizer = TextIndexParams::Tokenizer::kPrefix;
    else if (name == "multilingual") p.tokenizer = TextIndexParams::Tokenizer::kMultilingual;
    else return Bad("unknown tokenizer (expected prefix, whitespace, word or multilingual)");
  }
  QUIVER_ASSIGN_OR_RETURN(p.min_token_len, ReadLength(schema, "min_token_len"));
  QUIVER_ASSIGN_OR_RETURN(p.max_token_len, ReadLength(schema, "max_token_len"));
  QUIVER_ASSIGN_OR_RETURN(p.lowercase, ReadBool(schema, "lowercase", true));
  QUIVER_ASSIGN_OR_RETURN(p.phrase_matching, ReadBool(schema, "phrase_matching", false));
  QUIVER_ASSIGN_OR_RETURN(bool folding, ReadBool(schema, "ascii_folding", false));
  if (folding) return Bad("ascii_folding is not supported");
  if (const Json* s = schema.Find("stemmer"); s && !s->is_null()) {
    const Json* type = s->Find("type");
    if (!(type && type->is_string() && type->as_string() == "none")) {
      return Bad("stemmer is not supported");
    }
  }
  if (const Json* s = schema.Find("stopwords"); s && !s->is_null()) {
    if (s->is_string()) {
      QUIVER_RETURN_IF_ERROR(AddLanguage(*s, &p.stopwords));
    } else if (s->is_object()) {
      if (const Json* langs = s->Find("languages"); langs && !langs->is_null()) {
        if (!langs->is_array()) return Bad("stopwords.languages must be an array");
        for (const Json& l : langs->as_array()) QUIVER_RETURN_IF_ERROR(AddLanguage(l, &p.stopwords));
      }
      if (const Json* custom = s->Find("custom"); custom && !custom->is_null()) {
        if (!custom->is_array()) return Bad("stopwords.custom must be an array");
        for (const Json& w : custom->as_array()) {
          if (!w.is_string()) return Bad("stopwords.custom must hold strings");
          p.stopwords.insert(w.as_string());
        }
      }
    } else {
      return Bad("stopwords must be a language or {languages, custom}");
    }
  }
  if (p.lowercase) {
    // Stopwords are compared with lowercased tokens, so custom words are lowercased too.
    std::unordered_set<std::string> lowered;
    for (const std::string& w : p.stopwords) lowered.insert(LowercaseUtf8(w));
    p.stopwords = std::move(lowered);
  }
  return p;
}

const std::unordered_set<std::string>& EnglishStopwords() {
  static const auto* kWords = new std::unordered_set<std::string>{
      "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "you're", "you've",
      "you'll", "you'd", "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself",
      "she", "she's", "her", "hers", "herself", "it", "it's", "its", "itself", "they", "them",
      "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "that'll",
      "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has",
      "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or",
      "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against",
      "between", "into", "through", "during", "before", "after", "above", "below", "to", "from",
      "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then",
      "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few",
      "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
      "than", "too", "very", "s", "t", "can", "will", "just", "don", "don't", "should",
      "should've", "now", "d", "ll", "m", "o", "re", "ve", "y", "ain", "aren", "aren't",
      "couldn", "couldn't", "didn", "didn't", "doesn", "doesn't", "hadn", "hadn't", "hasn",
      "hasn't", "haven", "haven't", "isn", "isn't", "ma", "mightn", "mightn't", "mustn",
      "mustn't", "needn", "needn't", "shan", "shan't", "shouldn", "shouldn't", "wasn", "wasn't",
      "weren", "weren't", "won", "won't", "wouldn", "wouldn't"};
  return *kWords;
}

}  // namespace quiver::index
