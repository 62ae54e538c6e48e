//! Synthetic government sites for the benchmark: realistic pages generated on the fly.
//!
//! Site `s` with `n` pages serves page 0 at `/` and page `i` (1 ≤ i < n) at
//! [`bench_page_path`]`(i)`, e.g. `/xwzx/202611/t20261117_42.html`. Every page is 20–40 KB of
//! UTF-8 HTML, a pure function of `(s, n, i)` (a fixed pseudo-random generator, not `rand`, so
//! the pages never change between versions): a head with the usual metadata, a navigation bar
//! of about 20 links, paragraphs of Chinese text, a list of 20–40 dated links to other pages of
//! the same site, a few images, a stylesheet and a script (served tiny, under `/static/`), and
//! the footer. Page `i` links to pages `2i+1` and `2i+2`, so the whole site is reachable from
//! `/` within about log₂(n) steps; the other links point at random pages of the site.
//!
//! Nothing big is held in memory: each request generates its page. All links stay on the site.

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use chrono::{Days, NaiveDate};

use super::server::{self, html};

/// Column directories used in page paths and navigation labels.
const COLUMNS: &[(&str, &str)] = &[
    ("xwzx", "新闻中心"),
    ("zwdt", "政务动态"),
    ("tzgg", "通知公告"),
    ("zcwj", "政策文件"),
    ("zcjd", "政策解读"),
    ("rsxx", "人事信息"),
    ("czxx", "财政信息"),
    ("ghjh", "规划计划"),
    ("tjxx", "统计信息"),
    ("zdxm", "重点项目"),
    ("shgy", "社会公益"),
    ("jyfw", "教育服务"),
    ("ylws", "医疗卫生"),
    ("shbz", "社会保障"),
    ("hjbh", "环境保护"),
    ("aqsc", "安全生产"),
    ("nync", "农业农村"),
    ("jtys", "交通运输"),
    ("zwfw", "政务服务"),
    ("hdjl", "互动交流"),
];

const PHRASES: &[&str] = &[
    "深入贯彻落实党中央、国务院决策部署",
    "坚持以人民为中心的发展思想",
    "全面提升政务服务效能",
    "持续优化营商环境",
    "扎实推进乡村全面振兴",
    "切实保障和改善民生",
    "统筹发展和安全",
    "加快构建现代化产业体系",
    "着力推动高质量发展",
    "进一步压实各方责任",
    "建立健全长效工作机制",
    "强化要素保障和服务",
    "认真开展安全隐患排查整治",
    "加大重点项目推进力度",
    "推动各项政策措施落地见效",
    "持续深化“放管服”改革",
    "不断增强人民群众获得感、幸福感、安全感",
    "加强生态环境保护和治理",
    "稳步推进新型城镇化建设",
    "切实做好防汛抗旱和森林防火工作",
    "会议听取了有关部门的工作汇报",
    "各乡镇、各部门要高度重视",
    "确保各项任务按期保质完成",
    "及时回应社会关切",
    "全力做好民生保障工作",
    "积极稳妥推进重点领域改革",
    "完善公共服务体系",
    "提升基层治理能力和水平",
    "推动教育、医疗、养老等社会事业协调发展",
    "严格落实政府信息公开各项要求",
    "有序推进城市更新和老旧小区改造",
    "进一步规范行政执法行为",
    "加快数字政府建设",
    "推进一网通办、一网统管",
    "切实减轻企业和群众负担",
    "狠抓工作落实",
    "持续改善农村人居环境",
    "加强应急管理体系和能力建设",
    "坚决守住不发生规模性返贫底线",
    "全年完成固定资产投资同比增长百分之六点五",
];

const TITLE_HEADS: &[&str] = &[
    "关于做好",
    "县政府召开",
    "关于印发",
    "关于公开征求",
    "县领导调研",
    "关于开展",
    "关于进一步加强",
    "县委县政府部署",
];
const TITLE_TOPICS: &[&str] = &[
    "冬春农田水利建设工作",
    "安全生产大检查",
    "优化营商环境若干措施",
    "农村人居环境整治提升",
    "城区停车管理办法",
    "森林防火工作",
    "重点项目建设推进情况",
    "政务公开工作要点",
    "义务教育阶段招生入学工作",
    "城乡居民医疗保险参保缴费工作",
    "农村生活垃圾治理",
    "防汛抗旱工作",
];
const TITLE_TAILS: &[&str] = &[
    "的通知",
    "的公告",
    "专题会议",
    "的实施意见",
    "工作",
    "情况通报",
];

/// The base date the benchmark pages' dates count back from (fixed, so pages never change).
fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or(NaiveDate::MIN)
}

/// SplitMix64: a tiny, fixed pseudo-random generator, so pages are identical across versions
/// of `rand` and platforms.
struct Mix(u64);

impl Mix {
    fn new(site: usize, page: usize) -> Self {
        Mix((site as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (page as u64)
            ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // usize fits in u64 on every supported platform; the result is below n.
        (self.next() % (n.max(1) as u64)) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The publication date of page `i` (page 0, the home page, is dated on the base date).
fn page_date(i: usize) -> NaiveDate {
    let back = (i as u64).wrapping_mul(7919) % 900;
    base_date()
        .checked_sub_days(Days::new(back))
        .unwrap_or(base_date())
}

/// The path of page `i`: `/` for page 0, `/{column}/{yyyymm}/t{yyyymmdd}_{i}.html` otherwise.
pub fn bench_page_path(i: usize) -> String {
    if i == 0 {
        return "/".to_owned();
    }
    let (dir, _) = COLUMNS[i % COLUMNS.len()];
    let d = page_date(i);
    format!(
        "/{dir}/{}/t{}_{i}.html",
        d.format("%Y%m"),
        d.format("%Y%m%d")
    )
}

/// The page index a path names, if it is a page path ([`bench_page_path`] round-trips).
pub fn bench_page_index(path: &str) -> Option<usize> {
    if path == "/" {
        return Some(0);
    }
    let file = path.rsplit('/').next()?;
    let digits = file.strip_suffix(".html")?.rsplit_once('_')?.1;
    let i: usize = digits.parse().ok()?;
    (i > 0 && bench_page_path(i) == path).then_some(i)
}

fn page_title(site: usize, i: usize) -> String {
    if i == 0 {
        return "首页".to_owned();
    }
    let mut r = Mix::new(site, i ^ 0xA5A5);
    format!(
        "{}{}{}",
        r.pick(TITLE_HEADS),
        r.pick(TITLE_TOPICS),
        r.pick(TITLE_TAILS)
    )
}

fn site_name(site: usize) -> String {
    format!("基准{site}县人民政府门户网站")
}

fn paragraph(r: &mut Mix, out: &mut String) {
    out.push_str("<p>");
    let sentences = 2 + r.below(4);
    for _ in 0..sentences {
        let clauses = 2 + r.below(4);
        for c in 0..clauses {
            if c > 0 {
                out.push('，');
            }
            out.push_str(r.pick(PHRASES));
        }
        out.push('。');
    }
    out.push_str("</p>\n");
}

/// The HTML of page `i` of benchmark site `site` when the site has `pages` pages: 20–40 KB,
/// deterministic. The router serves exactly this.
pub fn bench_page(site: usize, pages: usize, i: usize) -> String {
    let pages = pages.max(1);
    let mut r = Mix::new(site, i);
    // Aim between 21 KiB and 39 KiB; the last paragraph overshoots by well under 1 KiB.
    let target = 21 * 1024 + r.below(18 * 1024);
    let name = site_name(site);
    let title = page_title(site, i);
    let date = page_date(i);
    let (_, column) = COLUMNS[i % COLUMNS.len()];
    let mut s = String::with_capacity(target + 4096);
    s.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n\
         <title>{title}_{name}</title>\n\
         <meta name=\"SiteName\" content=\"{name}\">\n\
         <meta name=\"SiteDomain\" content=\"www.bench{site}.example\">\n\
         <meta name=\"SiteIDCode\" content=\"{code}\">\n\
         <meta name=\"ColumnName\" content=\"{column}\">\n\
         <meta name=\"ArticleTitle\" content=\"{title}\">\n\
         <meta name=\"PubDate\" content=\"{pub} 09:00\">\n\
         <meta name=\"ContentSource\" content=\"县政府办公室\">\n\
         <link rel=\"stylesheet\" href=\"/static/css/main.css\">\n\
         <link rel=\"stylesheet\" href=\"/static/css/article.css\">\n\
         <script src=\"/static/js/jquery.min.js\"></script>\n\
         <script src=\"/static/js/common.js\"></script>\n\
         </head>\n<body>\n\
         <div class=\"top\"><a href=\"/\"><img src=\"/static/img/logo.png\" alt=\"{name}\"></a></div>\n\
         <div class=\"nav\"><ul>\n<li><a href=\"/\">首页</a></li>\n",
        code = 5_000_100_000u64 + site as u64,
        pub = date.format("%Y-%m-%d"),
    ));
    for k in 1..COLUMNS.len().min(pages) {
        let (_, label) = COLUMNS[k % COLUMNS.len()];
        s.push_str(&format!(
            "<li><a href=\"{}\">{label}</a></li>\n",
            bench_page_path(k)
        ));
    }
    s.push_str(&format!(
        "</ul></div>\n<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; {column}</div>\n\
         <div class=\"article\">\n<h1>{title}</h1>\n\
         <div class=\"info\">发布时间：{}　来源：县政府办公室　浏览次数：{}</div>\n\
         <div class=\"content\">\n",
        date.format("%Y-%m-%d"),
        100 + r.below(5000)
    ));

    // The list of links: children first, then random pages of the site.
    let mut links: Vec<usize> = [2 * i + 1, 2 * i + 2]
        .into_iter()
        .filter(|&c| c < pages)
        .collect();
    let wanted = 20 + r.below(21);
    while links.len() < wanted {
        links.push(r.below(pages));
    }
    let mut list = String::from("<div class=\"related\">\n<h3>相关信息</h3>\n<ul>\n");
    for &k in &links {
        list.push_str(&format!(
            "<li><a href=\"{}\" target=\"_blank\">{}</a><span class=\"date\">{}</span></li>\n",
            bench_page_path(k),
            page_title(site, k),
            page_date(k).format("%Y-%m-%d")
        ));
    }
    list.push_str("</ul>\n</div>\n");

    let footer = format!(
        "<div class=\"footer\">\n<p><a href=\"/\">网站地图</a> | <a href=\"/\">联系我们</a></p>\n\
         <p><img src=\"/static/img/dzjg.png\" alt=\"党政机关\"> <img src=\"/static/img/jiucuo.png\" alt=\"我为政府网站找错\">我为政府网站找错</p>\n\
         <p>主办单位：基准{site}县人民政府办公室　联系方式：0999-7654321</p>\n\
         <p>网站标识码：{}　示ICP备0{:07}号　示公网安备99000002{:06}号</p>\n</div>\n</body>\n</html>\n",
        5_000_100_000u64 + site as u64,
        site % 10_000_000,
        site % 1_000_000
    );

    let mut n = 0usize;
    let images = 1 + r.below(3);
    while s.len() + list.len() + footer.len() + "</div>\n</div>\n".len() < target {
        paragraph(&mut r, &mut s);
        n += 1;
        if n % 8 == 3 && n / 8 < images {
            s.push_str(&format!(
                "<p style=\"text-align:center\"><img src=\"/static/img/p{}.jpg\" alt=\"图片\"></p>\n",
                r.below(50)
            ));
        }
    }
    s.push_str("</div>\n</div>\n");
    s.push_str(&list);
    s.push_str(&footer);
    s
}

/// A synthetic site of `pages` pages (see the module documentation), generated per request.
/// Also serves `/robots.txt` (everything allowed) and tiny `/static/…` assets; anything else
/// answers 404.
pub fn bench_router(site_index: usize, pages: usize) -> Router {
    Router::new().fallback(move |uri: Uri| async move { serve(site_index, pages, uri.path()) })
}

fn serve(site: usize, pages: usize, path: &str) -> Response {
    if path == "/robots.txt" {
        return server::bytes(StatusCode::OK, "text/plain", b"User-agent: *\nAllow: /\n");
    }
    if let Some(asset) = path.strip_prefix("/static/") {
        return match asset.rsplit('.').next() {
            Some("css") => server::bytes(StatusCode::OK, "text/css", b"body{margin:0}\n"),
            Some("js") => server::bytes(
                StatusCode::OK,
                "application/javascript",
                b"function noop(){}\n",
            ),
            Some("png" | "jpg") => server::bytes(StatusCode::OK, "image/png", server::TINY_PNG),
            _ => html(StatusCode::NOT_FOUND, "<h1>404</h1>"),
        };
    }
    match bench_page_index(path) {
        Some(i) if i < pages => html(StatusCode::OK, &bench_page(site, pages, i)),
        _ => html(StatusCode::NOT_FOUND, "<h1>404 页面不存在</h1>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, VecDeque};
    use std::net::SocketAddr;

    fn page_links(html: &str) -> Vec<String> {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = RE.get_or_init(|| regex::Regex::new(r#"href="(/[^"]*)""#).expect("a valid regex"));
        re.captures_iter(html).map(|c| c[1].to_owned()).collect()
    }

    #[test]
    fn pages_are_20_to_40_kb_and_deterministic() {
        for site in [0, 1, 7, 499] {
            for i in [0, 1, 2, 3, 17, 999, 4999] {
                let a = bench_page(site, 5000, i);
                assert!(
                    (20 * 1024..=40 * 1024).contains(&a.len()),
                    "site {site} page {i}: {} bytes",
                    a.len()
                );
                assert_eq!(a, bench_page(site, 5000, i));
                assert!(a.contains("</html>"));
            }
        }
        assert_ne!(bench_page(0, 100, 5), bench_page(1, 100, 5));
        assert_ne!(bench_page(0, 100, 5), bench_page(0, 100, 6));
    }

    #[test]
    fn paths_round_trip() {
        for i in [0, 1, 2, 19, 20, 12345] {
            assert_eq!(bench_page_index(&bench_page_path(i)), Some(i));
        }
        assert_eq!(bench_page_index("/xwzx/202611/t20261130_0.html"), None);
        assert_eq!(bench_page_index("/nope.html"), None);
        assert_eq!(bench_page_index("/tzgg/209901/t20990101_2.html"), None);
    }

    #[test]
    fn the_whole_site_is_reachable_from_home_within_a_modest_depth() {
        let pages = 1000;
        let mut depth = vec![usize::MAX; pages];
        depth[0] = 0;
        let mut queue = VecDeque::from([0usize]);
        let mut links_per_page = BTreeSet::new();
        while let Some(i) = queue.pop_front() {
            let html = bench_page(3, pages, i);
            let links: Vec<usize> = page_links(&html)
                .iter()
                .filter(|l| !l.starts_with("/static/"))
                .map(|l| bench_page_index(l).expect("every link names a page"))
                .collect();
            links_per_page.insert(links.len());
            for k in links {
                assert!(k < pages);
                if depth[k] == usize::MAX {
                    depth[k] = depth[i] + 1;
                    queue.push_back(k);
                }
            }
        }
        assert!(
            depth.iter().all(|&d| d <= 10),
            "max depth {:?}",
            depth.iter().max()
        );
        // Nav (about 20) + list (20–40) + a few fixed links.
        assert!(
            links_per_page.iter().all(|&n| (40..=70).contains(&n)),
            "{links_per_page:?}"
        );
    }

    #[tokio::test]
    async fn the_router_serves_the_same_pages() {
        let running = server::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), bench_router(2, 50))
            .await
            .expect("bind");
        let c = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        for i in [0, 1, 49] {
            let r = c
                .get(running.url(&bench_page_path(i)))
                .send()
                .await
                .expect("GET");
            assert_eq!(r.status(), 200);
            assert_eq!(r.text().await.expect("body"), bench_page(2, 50, i));
        }
        let r = c
            .get(running.url(&bench_page_path(50)))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 404);
        let r = c
            .get(running.url("/static/img/logo.png"))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.headers()["content-type"], "image/png");
        let r = c.get(running.url("/robots.txt")).send().await.expect("GET");
        assert_eq!(r.status(), 200);
        assert_eq!(running.log.count(), 6);
    }
}
