// Json::ParseParallel: a large document cut into pieces where a cheap scan finds the bounds of
// its top-level members and of the elements of its large array members; the pieces are parsed at
// the same time on the shared worker pool, each by Parse()'s own parser, and the tree is put
// together from them.
//
// Why: a batch of a hundred 784-dimension queries is 78,400 numbers, and parsing them on the
// connection's thread took a quarter of the batch's time while the second core idled.
//
// The scan only decides where pieces begin and end. Each piece must parse as exactly one value,
// and between pieces the scan accepts only the punctuation and whitespace JSON allows there; so
// the pieces parse only where the whole text would. On any failure, or a shape the scan does not
// handle, the whole text is parsed again by Parse(), whose answer (its error, with line and
// column) is then the answer.

#include <atomic>

#include "common/json.h"
#include "common/worker_pool.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace quiver {
namespace {

// Below these sizes one thread is quicker than a split: a worker starts 0.1-0.2 ms after it is
// woken (worker_pool.h), about what 20-40 KB of JSON takes to parse here.
constexpr size_t kMinParallelBytes = 64 * 1024;
constexpr size_t kMinSplitArrayBytes = 16 * 1024;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The first of `"`, `[`, `]`, `{`, `}` at or after p, or end. Sixteen bytes at a time where SSE2
// is there: a batch's text is nearly all digits and commas, and a byte-by-byte scan of it took a
// quarter as long as parsing it.
const char* NextBracketOrQuote(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i open = _mm_set1_epi8('{');  // '[' | 0x20
  const __m128i close = _mm_set1_epi8('}');  // ']' | 0x20
  const __m128i case_bit = _mm_set1_epi8(0x20);
  for (; end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i folded = _mm_or_si128(bytes, case_bit);
    const __m128i hits = _mm_or_si128(
        _mm_cmpeq_epi8(bytes, quote),
        _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return p + __builtin_ctz(mask);
  }
#endif
  for (; p < end; ++p) {
    const char c = *p;
    if (c == '"' || c == '[' || c == ']' || c == '{' || c == '}') return p;
  }
  return end;
}

// Past the string whose opening quote is at p[-1]; nullptr when it does not close.
const char* SkipStringBody(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p == '\\') {
      ++p;  // the escaped character never closes the string
    } else if (*p == '"') {
      return p + 1;
    }
  }
  return nullptr;
}

// Past the container that opens at p; nullptr when its brackets do not balance before the end.
// (Whether they pair up, `[` with `]`, is the parser's business.)
const char* SkipContainer(const char* p, const char* end) {
  size_t depth = 0;
  while ((p = NextBracketOrQuote(p, end)) != end) {
    const char c = *p++;
    if (c == '"') {
      if ((p = SkipStringBody(p, end)) == nullptr) return nullptr;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (--depth == 0) {
      return p;
    }
  }
  return nullptr;
}

// A piece of the text and how many containers surround it.
struct Piece {
  std::string_view text;
  size_t depth;
};

// A top-level member: its key's text (quoted) and its value, one piece or, for a large array,
// one piece per element.
struct MemberSpan {
  std::string_view key;
  size_t first_piece;
  size_t pieces;
  bool split;
};

// Walks the text; the methods that return bool return false on what they do not expect.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Take(char c) {
    if (!Peek(c)) return false;
    ++p_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return p_ < end_ && *p_ == c;
  }
  bool AtEnd() {
    SkipSpace();
    return p_ == end_;
  }
  const char* position() const { return p_; }
  std::string_view From(const char* start) const {
    return std::string_view(start, static_cast<size_t>(p_ - start));
  }

  // The extent of the value at the current position: a string, a container, or a literal.
  bool Value(std::string_view* out) {
    SkipSpace();
    const char* start = p_;
    if (p_ == end_) return false;
    if (*p_ == '"') {
      p_ = SkipStringBody(p_ + 1, end_);
    } else if (*p_ == '[' || *p_ == '{') {
      p_ = SkipContainer(p_, end_);
    } else {
      while (p_ < end_ && !IsSpace(*p_) && *p_ != ',' && *p_ != '}' && *p_ != ']') ++p_;
    }
    if (p_ == nullptr) return false;
    *out = From(start);
    return !out->empty();
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && IsSpace(*p_)) ++p_;
  }

  const char* p_;
  const char* end_;
};

// The elements of the array at the scanner's position, each a piece `depth` deep.
bool ScanElements(Scanner& s, size_t depth, std::vector<Piece>* pieces) {
  if (!s.Take('[')) return false;
  if (s.Take(']')) return true;
  do {
    std::string_view element;
    if (!s.Value(&element)) return false;
    pieces->push_back({element, depth});
  } while (s.Take(','));
  return s.Take(']');
}

// Whether the scanner stands at an array whose first element is an object or an array.
bool AtArrayOfContainers(Scanner s) {  // a copy: looks ahead without moving the caller's
  return s.Take('[') && (s.Peek('{') || s.Peek('['));
}

// Cuts a top-level object into members and pieces. An array member is cut into its elements
// when it is large and its elements are containers: numbers one by one would cost more than
// they save.
bool Split(std::string_view text, std::vector<MemberSpan>* members, std::vector<Piece>* pieces) {
  Scanner s(text);
  if (!s.Take('{')) return false;
  if (s.Take('}')) return s.AtEnd();
  do {
    MemberSpan m;
    if (!s.Value(&m.key) || m.key.front() != '"' || !s.Take(':')) return false;
    m.first_piece = pieces->size();
    m.split = false;
    std::string_view value;
    if (s.Peek('[') && AtArrayOfContainers(s)) {
      const char* start = s.position();
      if (!ScanElements(s, 2, pieces)) return false;
      value = s.From(start);
      m.split = value.size() >= kMinSplitArrayBytes;
      if (!m.split) pieces->resize(m.first_piece);  // small: one piece after all
    } else if (!s.Value(&value)) {
      return false;
    }
    if (!m.split) pieces->push_back({value, 1});
    m.pieces = pieces->size() - m.first_piece;
    members->push_back(m);
  } while (s.Take(','));
  return s.Take('}') && s.AtEnd();
}

}  // namespace

StatusOr<Json> Json::ParseParallel(std::string_view text, size_t threads) {
  std::vector<MemberSpan> members;
  std::vector<Piece> pieces;
  if (threads < 2 || text.size() < kMinParallelBytes || !Split(text, &members, &pieces) ||
      pieces.size() < 2) {
    return Parse(text);
  }
  std::vector<Json> values(pieces.size());
  std::atomic<bool> failed{false};
  WorkerPool::Shared().ForEach(pieces.size(), threads, [&](size_t i) {
    if (failed) return;
    try {
      StatusOr<Json> parsed = ParseNested(pieces[i].text, pieces[i].depth);
      if (parsed.ok()) {
        values[i] = std::move(parsed).value();
      } else {
        failed = true;
      }
    } catch (...) {  // out of memory: Parse() says it again, on the caller's thread
      failed = true;
    }
  });
  if (failed) return Parse(text);
  Json root = MakeObject();
  for (const MemberSpan& m : members) {
    StatusOr<Json> key = Parse(m.key);
    if (!key.ok()) return Parse(text);
    if (!m.split) {
      root.Set(key->as_string(), std::move(values[m.first_piece]));
      continue;
    }
    Array elements;
    elements.reserve(m.pieces);
    for (size_t i = m.first_piece; i < m.first_piece + m.pieces; ++i) {
      elements.push_back(std::move(values[i]));
    }
    root.Set(key->as_string(), Json(std::move(elements)));
  }
  return root;
}

}  // namespace quiver
