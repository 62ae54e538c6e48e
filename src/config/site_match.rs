//! Which configured site a URL is: `govscan check URL` judges a URL with the level, kind,
//! 标识码, columns and overrides of the configured site it belongs to.
//!
//! A site matches a URL when the scheme, the host (the home page's host or one of the site's
//! further `hosts`) and the port (the scheme's default when none is written) are the same and
//! the site's home-page path is a prefix of the URL's path on a segment boundary
//! (`/bm/jyj/` matches `/bm/jyj/tzgg/` but not `/bm/jyjx/`). An exact URL match wins;
//! otherwise the longest path prefix wins; on a tie, the first site in the file.

use url::Url;

use super::{Config, SiteConfig};

/// The home-page path as a directory prefix: `/bm/jyj/index.html` → `/bm/jyj/`; a last
/// segment without a dot is a directory (`/bm/jyj` → `/bm/jyj/`).
fn dir_prefix(path: &str) -> String {
    let (dir, last) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("/", path),
    };
    if last.is_empty() || last.contains('.') {
        dir.to_string()
    } else {
        format!("{dir}{last}/")
    }
}

/// The length of the site's path prefix when the site matches `url`, else `None`.
fn prefix_len(site: &SiteConfig, url: &Url) -> Option<usize> {
    if site.url.scheme() != url.scheme()
        || site.url.port_or_known_default() != url.port_or_known_default()
    {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if !site.all_hosts().contains(&host) {
        return None;
    }
    let prefix = dir_prefix(site.url.path());
    let path = url.path();
    let fits = path.starts_with(&prefix) || format!("{path}/") == prefix;
    fits.then_some(prefix.len())
}

impl Config {
    /// The configured site `url` belongs to (see the module documentation), or `None`.
    pub fn site_for_url(&self, url: &Url) -> Option<&SiteConfig> {
        if let Some(s) = self.sites.iter().find(|s| &s.url == url) {
            return Some(s);
        }
        let mut best: Option<(usize, &SiteConfig)> = None;
        for s in &self.sites {
            if let Some(n) = prefix_len(s, url) {
                if best.is_none_or(|(b, _)| n > b) {
                    best = Some((n, s));
                }
            }
        }
        best.map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, url: &str) -> SiteConfig {
        let mut s = SiteConfig::adhoc(Url::parse(url).unwrap());
        s.name = name.into();
        s
    }

    fn config(sites: Vec<SiteConfig>) -> Config {
        Config {
            sites,
            ..Config::default()
        }
    }

    fn name_of(c: &Config, url: &str) -> Option<String> {
        c.site_for_url(&Url::parse(url).unwrap())
            .map(|s| s.name.clone())
    }

    #[test]
    fn port_tells_two_sites_on_one_host_apart() {
        let c = config(vec![
            site("门户", "http://www.example.gov.cn/"),
            site("教育局", "http://www.example.gov.cn:8080/"),
        ]);
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn:8080/").as_deref(),
            Some("教育局")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn:8080/a/b.html").as_deref(),
            Some("教育局")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/a/").as_deref(),
            Some("门户")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn:80/").as_deref(),
            Some("门户")
        );
        assert_eq!(name_of(&c, "http://www.example.gov.cn:9090/"), None);
        // The scheme counts too.
        assert_eq!(name_of(&c, "https://www.example.gov.cn/"), None);
    }

    #[test]
    fn longest_path_prefix_wins_on_segment_boundaries() {
        let c = config(vec![
            site("门户", "http://www.example.gov.cn/"),
            site("教育局", "http://www.example.gov.cn/bm/jyj/"),
            site(
                "教育局（旧）",
                "http://www.example.gov.cn/bm/jyj/old/index.html",
            ),
            site("卫健委", "http://www.example.gov.cn/bm/wjw"),
        ]);
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/wjw/xxgk/").as_deref(),
            Some("卫健委")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/wjw").as_deref(),
            Some("卫健委")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/wjwx/").as_deref(),
            Some("门户")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/other/").as_deref(),
            Some("门户")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/jyj/").as_deref(),
            Some("教育局")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/jyj").as_deref(),
            Some("教育局")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/jyj/tzgg/1.html").as_deref(),
            Some("教育局")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/jyjx/").as_deref(),
            Some("门户")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/jyj/old/x/").as_deref(),
            Some("教育局（旧）")
        );
        assert_eq!(
            name_of(&c, "http://WWW.EXAMPLE.gov.cn/index.html").as_deref(),
            Some("门户")
        );
        assert_eq!(name_of(&c, "http://other.example.gov.cn/"), None);
    }

    #[test]
    fn exact_url_wins_and_further_hosts_match() {
        let mut dept = site("部门", "http://www.example.gov.cn/bm/");
        dept.hosts = vec!["bm.example.gov.cn".into()];
        let c = config(vec![
            site("门户", "http://www.example.gov.cn/"),
            dept,
            site("专题", "http://www.example.gov.cn/bm/zt.html"),
        ]);
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/zt.html").as_deref(),
            Some("专题")
        );
        assert_eq!(
            name_of(&c, "http://www.example.gov.cn/bm/other.html").as_deref(),
            Some("部门")
        );
        assert_eq!(
            name_of(&c, "http://bm.example.gov.cn/bm/x/").as_deref(),
            Some("部门")
        );
        assert_eq!(name_of(&c, "http://bm.example.gov.cn/"), None);
        assert!(config(Vec::new())
            .site_for_url(&Url::parse("http://a.gov.cn/").unwrap())
            .is_none());
    }
}
