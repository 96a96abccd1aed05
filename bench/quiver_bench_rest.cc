// The REST benchmark: a synchronous Boost.Beast HTTP/1.1 client on one keep-alive connection.
// Request bodies are written by hand (fmt's shortest float form), answers parsed with quiver::Json.

#include "quiver_bench_rest.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iterator>
#include <memory>
#include <thread>

#include "common/json.h"

namespace quiver::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kUpsertBatch = 1000;
constexpr size_t kQueryBatch = 100;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One keep-alive connection to the server; reconnects once when the server has closed it.
class HttpClient {
 public:
  HttpClient(std::string host, std::string port, std::string api_key)
      : host_(std::move(host)), port_(std::move(port)), api_key_(std::move(api_key)) {}

  // Sends the request and returns the answer's body. A non-2xx status is kInternal with the body.
  StatusOr<std::string> Send(http::verb verb, const std::string& target, std::string body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    if (!api_key_.empty()) req.set("api-key", api_key_);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    beast::error_code ec;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!connected_ && !(ec = Connect())) connected_ = true;
      if (!connected_) break;
      http::write(stream_, req, ec);
      if (!ec) {
        beast::flat_buffer buffer;
        buffer.reserve(64 * 1024);  // else Beast reads a 70 KB answer 512 bytes at a time
        http::response_parser<http::string_body> parser;
        parser.body_limit(boost::none);
        http::read(stream_, buffer, parser, ec);
        if (!ec) {
          auto res = parser.release();
          if (!res.keep_alive()) Close();
          if (res.result_int() / 100 != 2) {
            return Internal(fmt::format("{} {}: HTTP {}: {}", std::string(http::to_string(verb)),
                                        target, res.result_int(), res.body()));
          }
          return std::move(res.body());
        }
      }
      Close();  // a stale keep-alive connection: try once more on a fresh one
    }
    return Internal(fmt::format("{}:{}: {}", host_, port_, ec.message()));
  }

 private:
  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (!ec) stream_.connect(endpoints, ec);
    if (!ec) stream_.socket().set_option(tcp::no_delay(true), ec);
    return ec;
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    connected_ = false;
  }

  std::string host_, port_, api_key_;
  net::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  bool connected_ = false;
};

}  // namespace

Status ParseRestUrl(const std::string& url, std::string* host, std::string* port) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return InvalidArgument("--rest wants http://host:port, not " + url);
  }
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return InvalidArgument("--rest wants http://host:port, not " + url);
  }
  size_t colon = rest.rfind(':');
  *host = rest.substr(0, colon);
  *port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  return Status::Ok();
}

namespace {

const char* DistanceName(Metric metric) {
  switch (metric) {
    case Metric::kL2: return "Euclid";
    case Metric::kCosine: return "Cosine";
    case Metric::kDot: return "Dot";
  }
  return "Euclid";
}

void AppendVector(const float* v, size_t dim, std::string* out) {
  out->push_back('[');
  for (size_t j = 0; j < dim; ++j) {
    if (j) out->push_back(',');
    fmt::format_to(std::back_inserter(*out), "{}", v[j]);
  }
  out->push_back(']');
}

// The ids of each answer of a query/batch response, in order.
Status ParseBatchAnswer(const std::string& body, std::vector<std::vector<uint32_t>>* out) {
  auto json = Json::Parse(body);
  if (!json.ok()) return json.status();
  const Json* result = json->Find("result");
  if (result == nullptr || !result->is_array()) return Internal("query/batch: no result array");
  for (const Json& answer : result->as_array()) {
    const Json* points = answer.Find("points");
    if (points == nullptr || !points->is_array()) return Internal("query/batch: no points");
    std::vector<uint32_t> ids;
    for (const Json& p : points->as_array()) {
      const Json* id = p.Find("id");
      if (id == nullptr || !id->is_integer()) return Internal("query/batch: a point without id");
      ids.push_back(static_cast<uint32_t>(id->as_int()));
    }
    out->push_back(std::move(ids));
  }
  return Status::Ok();
}

Status Prepare(HttpClient& client, const std::string& path, const Dataset& data,
               const RestOptions& options, RestResult* result) {
  auto created = client.Send(
      http::verb::put, path,
      fmt::format(R"({{"vectors":{{"size":{},"distance":"{}"}},"hnsw_config":{{"m":{},)"
                  R"("ef_construct":{}}},"optimizers_config":{{"indexing_threshold":0}}}})",
                  data.dim, DistanceName(data.metric), options.m, options.ef_construct));
  if (!created.ok()) return created.status();
  Clock::time_point start = Clock::now();
  std::string body;
  for (size_t first = 0; first < data.n; first += kUpsertBatch) {
    body = R"({"points":[)";
    for (size_t i = first; i < std::min(data.n, first + kUpsertBatch); ++i) {
      if (i != first) body.push_back(',');
      fmt::format_to(std::back_inserter(body), R"({{"id":{},"vector":)", i);
      AppendVector(data.Base(i), data.dim, &body);
      body.push_back('}');
    }
    body.append("]}");
    auto upserted = client.Send(http::verb::put, path + "/points?wait=true", std::move(body));
    if (!upserted.ok()) return upserted.status();
  }
  result->upsert_s = SecondsSince(start);
  start = Clock::now();
  // 1 KB rather than the default 10,000: a data set under 10 MB (20k x 64 floats) would stay
  // unindexed and be scanned, and the comparison is of the graph search through REST.
  auto indexing_on = client.Send(http::verb::patch, path,
                                 R"({"optimizers_config":{"indexing_threshold":1}})");
  if (!indexing_on.ok()) return indexing_on.status();
  while (true) {
    auto info = client.Send(http::verb::get, path, "");
    if (!info.ok()) return info.status();
    auto json = Json::Parse(*info);
    const Json* r = json.ok() ? json->Find("result") : nullptr;
    const Json* status = r ? r->Find("status") : nullptr;
    if (status && status->is_string() && status->as_string() == "green") {
      const Json* indexed = r->Find("indexed_vectors_count");
      if (indexed && indexed->is_integer()) result->indexed_vectors = indexed->as_int();
      break;
    }
    if (SecondsSince(start) > options.green_timeout_s) {
      return Internal(fmt::format("{} did not turn green within {} s", path,
                                  options.green_timeout_s));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  result->green_wait_s = SecondsSince(start);
  return Status::Ok();
}

// One ef: the request bodies are built before the clock starts (a client that only forwards
// vectors), the answers parsed after it stops.
StatusOr<RestPoint> MeasureEf(HttpClient& client, const std::string& path, const Dataset& data,
                              const GroundTruth& truth, size_t k, size_t ef, double min_time_s) {
  std::vector<std::string> bodies;
  for (size_t first = 0; first < data.nq; first += kQueryBatch) {
    std::string body = R"({"searches":[)";
    for (size_t q = first; q < std::min(data.nq, first + kQueryBatch); ++q) {
      if (q != first) body.push_back(',');
      body.append(R"({"query":)");
      AppendVector(data.Query(q), data.dim, &body);
      fmt::format_to(std::back_inserter(body), R"(,"limit":{},"params":{{"hnsw_ef":{}}}}})", k,
                     ef);
    }
    body.append("]}");
    bodies.push_back(std::move(body));
  }
  std::vector<std::string> answers(bodies.size());
  size_t passes = 0;
  Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    for (size_t b = 0; b < bodies.size(); ++b) {
      auto answer = client.Send(http::verb::post, path + "/points/query/batch", bodies[b]);
      if (!answer.ok()) return answer.status();
      answers[b] = std::move(answer).value();
    }
    ++passes;
    elapsed = SecondsSince(start);
  } while (elapsed < min_time_s);
  std::vector<std::vector<uint32_t>> results;
  for (const std::string& answer : answers) {
    QUIVER_RETURN_IF_ERROR(ParseBatchAnswer(answer, &results));
  }
  if (results.size() != data.nq) return Internal("query/batch: wrong number of answers");
  RestPoint p;
  p.ef = ef;
  p.qps = static_cast<double>(passes * data.nq) / elapsed;
  p.recall = MeanRecall(data, truth, results);
  return p;
}

}  // namespace

StatusOr<RestResult> RunRest(const Dataset& data, const GroundTruth& truth, size_t k,
                             const RestOptions& options) {
  std::string host, port;
  QUIVER_RETURN_IF_ERROR(ParseRestUrl(options.url, &host, &port));
  HttpClient client(host, port, options.api_key);
  RestResult result;
  result.collection = fmt::format("bench_{}", static_cast<long>(getpid()));
  const std::string path = "/collections/" + result.collection;
  Status status = Prepare(client, path, data, options, &result);
  if (status.ok()) {
    fmt::print(stderr, "rest: upserted {} points in {:.2f} s, green after {:.2f} s more\n", data.n,
               result.upsert_s, result.green_wait_s);
    for (size_t ef : options.efs) {
      RestPoint best;
      std::optional<double> best_in_process;  // kept apart: a better REST round replaces `best`
      for (size_t round = 1; round <= options.rounds && status.ok(); ++round) {
        auto point = MeasureEf(client, path, data, truth, k, ef, options.min_time_s);
        if (!point.ok()) {
          status = point.status();
          break;
        }
        if (point->qps > best.qps) best = *point;
        double in_process = 0;
        if (options.in_process_qps) {
          in_process = options.in_process_qps(ef);
          best_in_process = std::max(best_in_process.value_or(0), in_process);
        }
        fmt::print(stderr, "  rest ef {} round {}: rest {:.0f} q/s, in process {:.0f} q/s\n", ef,
                   round, point->qps, in_process);
      }
      if (!status.ok()) break;
      best.inproc_qps = best_in_process;
      fmt::print(stderr, "  rest ef {} recall {:.4f} qps {:.0f}\n", ef, best.recall, best.qps);
      result.points.push_back(best);
    }
  }
  auto deleted = client.Send(http::verb::delete_, path, "");  // also after a failure
  if (!status.ok()) return status;
  if (!deleted.ok()) return deleted.status();
  return result;
}

}  // namespace quiver::bench
