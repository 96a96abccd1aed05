// Unit tests of the tokenizers, the text index and text-condition matching.
#include <gtest/gtest.h>

#include "index/payload_index_text.h"

namespace quiver::index {
namespace {

using Strings = std::vector<std::string>;

TextIndexParams Params(const char* json) {
  auto parsed = Json::Parse(json);
  EXPECT_TRUE(parsed.ok());
  auto p = ParseTextIndexParams(*parsed);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : TextIndexParams{};
}

std::vector<uint32_t> Slots(const Bitmap& b) {
  std::vector<uint32_t> out(b.cardinality());
  b.toUint32Array(out.data());
  return out;
}

TEST(Tokenizer, WordSplitsOnNonAlphanumericAndLowercasesUnicode) {
  Tokenizer t(TextIndexParams{});
  EXPECT_EQ(t.Document("hello, world! Привет, мир!"), (Strings{"hello", "world", "привет", "мир"}));
  EXPECT_EQ(t.Document("Half-Breeds on Venus"), (Strings{"half", "breeds", "on", "venus"}));
  EXPECT_EQ(t.Document("I'm in Marsport"), (Strings{"i", "m", "in", "marsport"}));
  EXPECT_EQ(t.Document("Pâté de Foie"), (Strings{"pâté", "de", "foie"}));
  EXPECT_EQ(t.Document("  "), Strings{});
  Tokenizer keep_case(Params(R"({"type": "text", "lowercase": false})"));
  EXPECT_EQ(keep_case.Document("Big Game"), (Strings{"Big", "Game"}));
}

TEST(Tokenizer, WhitespaceKeepsPunctuation) {
  Tokenizer t(Params(R"({"type": "text", "tokenizer": "whitespace"})"));
  EXPECT_EQ(t.Document("Author! Author!\tC-Chute"), (Strings{"author!", "author!", "c-chute"}));
}

TEST(Tokenizer, LengthLimitsAndStopwords) {
  Tokenizer t(Params(R"({"type": "text", "min_token_len": 2, "max_token_len": 5,
                         "stopwords": {"languages": ["english"], "custom": ["Robot"]}})"));
  EXPECT_EQ(t.Document("A robot of the Subway is a machine"), Strings{});
  EXPECT_EQ(t.Document("Little Lost Robot"), (Strings{"lost"}));  // "little" is too long
  Tokenizer english(Params(R"({"type": "text", "stopwords": "english"})"));
  EXPECT_EQ(english.Query("robot of the star"), (Strings{"robot", "star"}));
}

TEST(Tokenizer, PrefixDocumentsYieldEveryPrefixQueriesOne) {
  Tokenizer t(Params(R"({"type": "text", "tokenizer": "prefix", "max_token_len": 4})"));
  EXPECT_EQ(t.Document("hello, мир!"), (Strings{"h", "he", "hel", "hell", "м", "ми", "мир"}));
  EXPECT_EQ(t.Query("HELLO world"), (Strings{"hell", "worl"}));
  Tokenizer unlimited(Params(R"({"type": "text", "tokenizer": "prefix"})"));
  EXPECT_EQ(unlimited.Document("Robot"), (Strings{"r", "ro", "rob", "robo", "robot"}));
  EXPECT_EQ(unlimited.Query("ROBO"), (Strings{"robo"}));
}

TEST(TextIndexParams, RefusesWhatIsNotImplemented) {
  auto parse = [](const char* json) { return ParseTextIndexParams(*Json::Parse(json)).status(); };
  EXPECT_EQ(parse(R"({"type": "text", "tokenizer": "nope"})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"type": "text", "ascii_folding": true})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"type": "text", "stemmer": {"type": "snowball", "language": "english"}})")
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"type": "text", "stopwords": "german"})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(parse(R"({"type": "text", "stemmer": {"type": "none"}, "phrase_matching": true,
                        "on_disk": true, "multilingual": null})")
                  .ok());
  EXPECT_TRUE(ParseTextIndexParams(Json()).ok());
}

TEST(TextIndex, AllAnyAndPhraseQueries) {
  auto tok = std::make_shared<const Tokenizer>(TextIndexParams{});
  TextIndex idx(tok);
  auto set = [&](uint32_t slot, Strings texts) {
    FieldValues v;
    v.strings = std::move(texts);
    idx.Set(slot, v);
  };
  set(0, {"The Last Question"});
  set(1, {"The Last Trump", "Question time"});
  set(2, {"Robot Dreams"});
  set(3, {"!!!"});  // no tokens: not indexed
  EXPECT_EQ(idx.points_count(), 3u);

  TextQuery all(tok, TextQuery::Kind::kAllTokens, "last QUESTION");
  EXPECT_EQ(Slots(all.Candidates(idx)), (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(all.Matches("the last question"));
  EXPECT_FALSE(all.Matches("The Last Trump"));  // per value: slot 1 has the tokens in two values
  EXPECT_FALSE(all.Matches("lastquestion"));

  TextQuery unseen(tok, TextQuery::Kind::kAllTokens, "last unicorn");
  EXPECT_TRUE(unseen.Candidates(idx).isEmpty());
  TextQuery empty(tok, TextQuery::Kind::kAllTokens, " ,, ");
  EXPECT_TRUE(empty.Candidates(idx).isEmpty());
  EXPECT_FALSE(empty.Matches("anything"));

  TextQuery any(tok, TextQuery::Kind::kAnyToken, "dreams unicorn trump");
  EXPECT_EQ(Slots(any.Candidates(idx)), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(any.Matches("Trump card"));
  EXPECT_FALSE(any.Matches("drum"));

  TextQuery phrase(tok, TextQuery::Kind::kPhrase, "last question");
  EXPECT_EQ(Slots(phrase.Candidates(idx)), (std::vector<uint32_t>{0, 1}));  // a superset
  EXPECT_TRUE(phrase.Matches("The Last Question"));
  EXPECT_FALSE(phrase.Matches("question, the last"));

  set(0, {"Robot"});
  EXPECT_EQ(Slots(all.Candidates(idx)), (std::vector<uint32_t>{1}));
  idx.Remove(1);
  EXPECT_TRUE(all.Candidates(idx).isEmpty());
  EXPECT_EQ(idx.vocabulary_size(), 2u);  // "robot", "dreams"
}

}  // namespace
}  // namespace quiver::index
