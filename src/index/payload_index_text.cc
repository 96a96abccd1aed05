// Tokenizers, the text index and text-condition matching (contracts in payload_index_text.h).
#include <locale.h>
#include <wctype.h>

#include <algorithm>

#include "index/payload_index_text.h"

namespace quiver::index {
namespace {

// Unicode character classes and case mapping from glibc's built-in C.UTF-8 locale, opened once
// and never freed (read-only afterwards, so safe to share between threads). Without it only
// ASCII is classified.
locale_t Utf8Locale() {
  static const locale_t kLocale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return kLocale;
}

bool IsAlphanumeric(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  locale_t loc = Utf8Locale();
  return loc != static_cast<locale_t>(0) && iswalnum_l(static_cast<wint_t>(c), loc);
}

bool IsWhitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  locale_t loc = Utf8Locale();
  return c == 0x85 || c == 0xA0 || (loc != static_cast<locale_t>(0) && iswspace_l(c, loc));
}

char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t loc = Utf8Locale();
  return loc == static_cast<locale_t>(0) ? c : static_cast<char32_t>(towlower_l(c, loc));
}

// Decodes one UTF-8 character at text[*pos] and advances; a malformed byte decodes as U+FFFD
// (not alphanumeric), one byte at a time.
char32_t Decode(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(*pos);
  size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *pos + len > text.size()) {
    ++*pos;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b0 : b0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((byte(*pos + i) & 0xC0) != 0x80) {
      ++*pos;
      return 0xFFFD;
    }
    c = (c << 6) | (byte(*pos + i) & 0x3F);
  }
  *pos += len;
  return c;
}

void Encode(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) Decode(s, &pos);
  return n;
}

// The byte length of the first `n` characters of s (all of s when it is shorter).
size_t PrefixBytes(std::string_view s, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n && pos < s.size(); ++i) Decode(s, &pos);
  return pos;
}

// Splits `text` into the non-empty runs of characters for which keep(c) holds.
template <typename Keep>
std::vector<std::string_view> Split(std::string_view text, Keep keep) {
  std::vector<std::string_view> out;
  size_t start = 0, pos = 0;
  while (pos < text.size()) {
    size_t at = pos;
    if (!keep(Decode(text, &pos))) {
      if (at > start) out.push_back(text.substr(start, at - start));
      start = pos;
    }
  }
  if (pos > start) out.push_back(text.substr(start, pos - start));
  return out;
}

std::vector<std::string_view> Words(std::string_view text, TextIndexParams::Tokenizer t) {
  if (t == TextIndexParams::Tokenizer::kWhitespace) {
    return Split(text, [](char32_t c) { return !IsWhitespace(c); });
  }
  return Split(text, IsAlphanumeric);
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

std::string LowercaseUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) Encode(ToLower(Decode(s, &pos)), &out);
  return out;
}

std::optional<std::string> Tokenizer::Process(std::string_view token, bool check_max_len) const {
  if (token.empty()) return std::nullopt;
  std::string t = params_.lowercase ? LowercaseUtf8(token) : std::string(token);
  if (params_.stopwords.count(t)) return std::nullopt;
  size_t chars = CharCount(t);
  if (params_.min_token_len && chars < *params_.min_token_len) return std::nullopt;
  if (check_max_len && params_.max_token_len && chars > *params_.max_token_len) return std::nullopt;
  return t;
}

std::vector<std::string> Tokenizer::Document(std::string_view text) const {
  std::vector<std::string> out;
  bool prefix = params_.tokenizer == TextIndexParams::Tokenizer::kPrefix;
  for (std::string_view word : Words(text, params_.tokenizer)) {
    std::optional<std::string> t = Process(word, /*check_max_len=*/!prefix);
    if (!t) continue;
    if (!prefix) {
      out.push_back(std::move(*t));
      continue;
    }
    // Every prefix from min_token_len characters up to max_token_len, or the whole word.
    size_t min_n = params_.min_token_len.value_or(1);
    size_t max_n = params_.max_token_len.value_or(SIZE_MAX);
    size_t chars = CharCount(*t);
    for (size_t n = min_n; n <= max_n; ++n) {
      if (chars <= n) {
        out.push_back(*t);
        break;
      }
      out.push_back(t->substr(0, PrefixBytes(*t, n)));
      if (n == SIZE_MAX) break;
    }
  }
  return out;
}

std::vector<std::string> Tokenizer::Query(std::string_view text) const {
  if (params_.tokenizer != TextIndexParams::Tokenizer::kPrefix) return Document(text);
  // A query word is one prefix: no stopword check (a stopword may start a longer word).
  std::vector<std::string> out;
  for (std::string_view word : Words(text, params_.tokenizer)) {
    std::string t = params_.lowercase ? LowercaseUtf8(word) : std::string(word);
    if (params_.min_token_len && CharCount(t) < *params_.min_token_len) continue;
    if (params_.max_token_len) t.resize(PrefixBytes(t, *params_.max_token_len));
    out.push_back(std::move(t));
  }
  return out;
}

// ---- index ----

bool TextIndex::Insert(uint32_t slot, const FieldValues& values) {
  std::vector<std::string> tokens;
  for (const std::string& text : values.strings) {
    for (std::string& t : tokenizer_->Document(text)) tokens.push_back(std::move(t));
  }
  SortUnique(&tokens);
  if (tokens.empty()) return false;
  for (const std::string& t : tokens) postings_[t].add(slot);
  if (by_slot_.size() <= slot) by_slot_.resize(size_t{slot} + 1);
  by_slot_[slot] = std::move(tokens);
  return true;
}

void TextIndex::Erase(uint32_t slot) {
  if (slot >= by_slot_.size()) return;
  for (const std::string& t : by_slot_[slot]) {
    auto it = postings_.find(t);
    if (it == postings_.end()) continue;
    it->second.remove(slot);
    if (it->second.isEmpty()) postings_.erase(it);
  }
  by_slot_[slot].clear();
  by_slot_[slot].shrink_to_fit();
}

Bitmap TextIndex::AllTokens(const std::vector<std::string>& tokens) const {
  if (tokens.empty()) return Bitmap();
  std::vector<const Bitmap*> lists;
  for (const std::string& t : tokens) {
    auto it = postings_.find(t);
    if (it == postings_.end()) return Bitmap();  // an unseen token: nothing matches
    lists.push_back(&it->second);
  }
  std::sort(lists.begin(), lists.end(),
            [](const Bitmap* a, const Bitmap* b) { return a->cardinality() < b->cardinality(); });
  Bitmap out = *lists[0];
  for (size_t i = 1; i < lists.size() && !out.isEmpty(); ++i) out &= *lists[i];
  return out;
}

Bitmap TextIndex::AnyToken(const std::vector<std::string>& tokens) const {
  Bitmap out;
  for (const std::string& t : tokens) {
    if (auto it = postings_.find(t); it != postings_.end()) out |= it->second;
  }
  return out;
}

// ---- queries ----

TextQuery::TextQuery(std::shared_ptr<const Tokenizer> tokenizer, Kind kind, std::string_view text)
    : tokenizer_(std::move(tokenizer)), kind_(kind) {
  // A phrase is tokenized as a document (Qdrant's parse_phrase_query), the others as queries.
  tokens_ = kind == Kind::kPhrase ? tokenizer_->Document(text) : tokenizer_->Query(text);
  if (kind != Kind::kPhrase) SortUnique(&tokens_);
}

bool TextQuery::Matches(std::string_view value) const {
  if (tokens_.empty()) return false;
  std::vector<std::string> doc = tokenizer_->Document(value);
  if (kind_ == Kind::kPhrase) {
    return std::search(doc.begin(), doc.end(), tokens_.begin(), tokens_.end()) != doc.end();
  }
  SortUnique(&doc);
  auto has = [&](const std::string& t) { return std::binary_search(doc.begin(), doc.end(), t); };
  return kind_ == Kind::kAnyToken ? std::any_of(tokens_.begin(), tokens_.end(), has)
                                  : std::all_of(tokens_.begin(), tokens_.end(), has);
}

Bitmap TextQuery::Candidates(const TextIndex& index) const {
  if (kind_ == Kind::kAnyToken) return index.AnyToken(tokens_);
  if (kind_ == Kind::kAllTokens) return index.AllTokens(tokens_);
  std::vector<std::string> distinct = tokens_;
  SortUnique(&distinct);
  return index.AllTokens(distinct);
}

}  // namespace quiver::index
