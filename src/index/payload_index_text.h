#pragma once
// Full-text payload index, as Qdrant's `text` index (lib/segment/src/index/field_index/
// full_text_index/): a tokenizer, token -> slots postings, and the matching rules of the text
// conditions on an indexed field, which differ from the substring rules without an index:
//   match {text: q}      every token of q is a token of the value (q without tokens: no match)
//   match {text_any: q}  some token of q is a token of the value
//   match {phrase: q}    q's tokens appear in the value's token sequence, consecutively
// A point matches when one of its string values does (array elements are separate values).
//
// Tokenizers (Qdrant's defaults: `word`, lowercase on, no length limits, no stopwords):
//   word          split on every character that is not alphanumeric (Unicode)
//   whitespace    split on Unicode whitespace
//   prefix        as word, and a stored word also yields each of its prefixes from
//                 min_token_len (default 1) characters up to max_token_len; a query word is
//                 matched as one prefix, cut at max_token_len
//   multilingual  treated as word (Qdrant segments CJK and other scripts by dictionary; Quiver
//                 does not)
// Each token is lowercased (when `lowercase`), dropped if it is a stopword, and dropped if its
// length in characters is below min_token_len or above max_token_len (the latter not for prefix
// words). Stemming and ASCII folding are not supported (ParseTextIndexParams refuses them).
//
// Thread safety: a Tokenizer and a TextQuery are immutable; TextIndex as FieldIndex.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "index/payload_index.h"

namespace quiver::index {

struct TextIndexParams {
  enum class Tokenizer { kWord, kWhitespace, kPrefix, kMultilingual };
  Tokenizer tokenizer = Tokenizer::kWord;
  bool lowercase = true;
  std::optional<size_t> min_token_len, max_token_len;
  std::unordered_set<std::string> stopwords;  // lowercased when `lowercase`
  bool phrase_matching = false;               // accepted; phrases are always matched
};

// Reads Qdrant's TextIndexParams from a `field_schema` object ({"type": "text", "tokenizer":
// ..., "min_token_len", "max_token_len", "lowercase", "stopwords": "english" | {"languages":
// [...], "custom": [...]}, "phrase_matching", "on_disk", ...}); null gives the defaults.
// kInvalidArgument for a wrong type or unknown tokenizer, and for what Quiver does not implement
// (stemmer, ascii_folding, stopword languages other than english).
StatusOr<TextIndexParams> ParseTextIndexParams(const Json& schema);

class Tokenizer {
 public:
  explicit Tokenizer(TextIndexParams params) : params_(std::move(params)) {}

  // The tokens of a stored text, in order, repeats kept (Qdrant's document tokenization).
  std::vector<std::string> Document(std::string_view text) const;
  // The tokens of a query text (for prefix: one token per word, stopwords kept).
  std::vector<std::string> Query(std::string_view text) const;

  const TextIndexParams& params() const { return params_; }

 private:
  // Lowercases, drops stopwords and tokens outside the length limits; nullopt when dropped.
  std::optional<std::string> Process(std::string_view token, bool check_max_len) const;

  TextIndexParams params_;
};

class TextIndex final : public FieldIndex {
 public:
  explicit TextIndex(std::shared_ptr<const Tokenizer> tokenizer)
      : FieldIndex(FieldType::kText), tokenizer_(std::move(tokenizer)) {}

  const std::shared_ptr<const Tokenizer>& tokenizer() const { return tokenizer_; }
  // The slots having every token (none for an empty list) / some token.
  Bitmap AllTokens(const std::vector<std::string>& tokens) const;
  Bitmap AnyToken(const std::vector<std::string>& tokens) const;
  size_t vocabulary_size() const { return postings_.size(); }

 private:
  bool Insert(uint32_t slot, const FieldValues& values) override;  // reads values.strings
  void Erase(uint32_t slot) override;

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::map<std::string, Bitmap, std::less<>> postings_;
  std::vector<std::vector<std::string>> by_slot_;  // distinct tokens per slot, for Erase
};

// A text condition parsed with an index's tokenizer.
class TextQuery {
 public:
  enum class Kind { kAllTokens, kAnyToken, kPhrase };
  TextQuery(std::shared_ptr<const Tokenizer> tokenizer, Kind kind, std::string_view text);

  // Whether one stored text satisfies the condition.
  bool Matches(std::string_view value) const;
  // The slots that may match: exact for kAllTokens and kAnyToken, a superset for kPhrase.
  Bitmap Candidates(const TextIndex& index) const;

 private:
  std::shared_ptr<const Tokenizer> tokenizer_;
  Kind kind_;
  std::vector<std::string> tokens_;  // kPhrase: in order; otherwise sorted, distinct
};

// Unicode simple lowercase of UTF-8 text (malformed bytes become U+FFFD).
std::string LowercaseUtf8(std::string_view text);

// Qdrant's english stopword list (the NLTK list).
const std::unordered_set<std::string>& EnglishStopwords();

}  // namespace quiver::index
