//! The bulletin's charts, drawn with `plotters`: the pass rate and average score over the last
//! 12 months, the score distribution, and the problems by category. Each chart is drawn twice
//! from the same code: SVG for the HTML bulletin, PNG for the DOCX one.
//!
//! The images carry only numbers and dates (drawn in the embedded DejaVu Sans, so no system
//! font is needed and the PNG is the same on every machine); what the colours and numbers mean
//! is said in Chinese in the caption beside the image, where the document's own fonts render
//! it.

use std::sync::Once;

use plotters::prelude::*;

use super::bulletin::{BulletinSite, ProblemCount, TrendMonth};

/// Pixel size of every chart.
const SIZE: (u32, u32) = (720, 360);
const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
const RED: RGBColor = RGBColor(0xc0, 0x20, 0x20);
const FONT: &str = "sans-serif";

/// One chart: its Chinese caption and the image in both formats.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The title and the key to colours and numbers, in Chinese.
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart {chart}: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; it parses or the crate is broken, and then the charts say
        // so through `ChartError` when the text cannot be drawn.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

macro_rules! render {
    ($name:expr, $caption:expr, |$area:ident| $body:block) => {{
        register_font();
        let fail = |e: &dyn std::fmt::Display| ChartError {
            chart: $name.to_string(),
            message: e.to_string(),
        };
        let mut svg = String::new();
        {
            let $area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            let r: DrawResult = (|| $body)();
            r.map_err(|e| fail(&e))?;
            $area.present().map_err(|e| fail(&e))?;
        }
        let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
        {
            let $area = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
            let r: DrawResult = (|| $body)();
            r.map_err(|e| fail(&e))?;
            $area.present().map_err(|e| fail(&e))?;
        }
        let img = image::RgbImage::from_raw(SIZE.0, SIZE.1, rgb)
            .ok_or_else(|| fail(&"the bitmap has the wrong size"))?;
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| fail(&e))?;
        Ok(Chart {
            caption: $caption,
            svg,
            png,
            width: SIZE.0,
            height: SIZE.1,
        })
    }};
}

/// The pass rate (blue, %) and the average score (red) of the last 12 months; months without
/// an inspected site are left empty (a gap in the lines), never drawn as zero.
pub fn trend(months: &[TrendMonth]) -> Result<Chart, ChartError> {
    let caption = "图1 近12个月合格率与平均得分（蓝线：合格率，%；红线：平均得分；\
                   空缺月份为当月无完成检查的网站）"
        .to_string();
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.month.get(2..).unwrap_or(&m.month).to_string())
        .collect();
    let n = months.len().max(1);
    render!("trend", caption, |area| {
        area.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..100f64)?;
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                labels.get(i as usize).cloned().unwrap_or_default()
            })
            .y_labels(6)
            .label_style((FONT, 13))
            .draw()?;
        for (values, color) in [
            (months.iter().map(|m| m.pass_rate).collect::<Vec<_>>(), BLUE),
            (months.iter().map(|m| m.average_score).collect(), RED),
        ] {
            // One line per run of months with data.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => run.push((i as f64, *v)),
                    None => {
                        if !run.is_empty() {
                            chart
                                .draw_series(LineSeries::new(run.clone(), color.stroke_width(3)))?;
                            run.clear();
                        }
                    }
                }
            }
            if !run.is_empty() {
                chart.draw_series(LineSeries::new(run.clone(), color.stroke_width(3)))?;
            }
            chart.draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| Circle::new((i as f64, v), 4, color.filled()))),
            )?;
        }
        Ok(())
    })
}

/// How many inspected sites scored in each band: below 60, 60–69, 70–79, 80–89, 90–100.
pub fn distribution(sites: &[BulletinSite]) -> Result<Chart, ChartError> {
    const BANDS: [&str; 5] = ["<60", "60-69", "70-79", "80-89", "90-100"];
    let mut counts = [0usize; 5];
    for s in sites {
        let band = match s.score {
            x if x < 60.0 => 0,
            x if x < 70.0 => 1,
            x if x < 80.0 => 2,
            x if x < 90.0 => 3,
            _ => 4,
        };
        counts[band] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let caption = "图2 本月得分分布（横轴：得分区间；纵轴：网站数）".to_string();
    render!("distribution", caption, |area| {
        area.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5f64..4.5f64, 0f64..(max as f64 * 1.15))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(5)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 1e-6 || !(0.0..5.0).contains(&i) {
                    return String::new();
                }
                BANDS[i as usize].to_string()
            })
            .y_labels(max.min(10))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 13))
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
            let x = i as f64;
            let color = if i == 0 { RED } else { BLUE };
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *c as f64)], color.filled())
        }))?;
        chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
            Text::new(
                c.to_string(),
                (i as f64 - 0.05, *c as f64 + max as f64 * 0.03),
                (FONT, 14),
            )
        }))?;
        Ok(())
    })
}

/// The problems touching most sites (at most ten), numbered; the caption names each number.
pub fn problems(problems: &[ProblemCount]) -> Result<Chart, ChartError> {
    let top: Vec<&ProblemCount> = problems.iter().take(10).collect();
    let max = top.iter().map(|p| p.sites).max().unwrap_or(0).max(1);
    let n = top.len().max(1);
    let key: Vec<String> = top
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {}（{}）", i + 1, p.title, p.kind))
        .collect();
    let caption = format!(
        "图3 主要问题涉及网站数（纵轴编号：{}）",
        if key.is_empty() {
            "本月无问题".to_string()
        } else {
            key.join("；")
        }
    );
    render!("problems", caption, |area| {
        area.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..(max as f64 + 1.0), -0.5f64..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= top.len() {
                    return String::new();
                }
                // The first problem at the top.
                (top.len() - i as usize).to_string()
            })
            .x_labels((max + 2).min(11))
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() > 1e-6 {
                    return String::new();
                }
                format!("{x:.0}")
            })
            .label_style((FONT, 13))
            .draw()?;
        chart.draw_series(top.iter().enumerate().map(|(i, p)| {
            let y = (top.len() - 1 - i) as f64;
            Rectangle::new([(0.0, y - 0.35), (p.sites as f64, y + 0.35)], BLUE.filled())
        }))?;
        chart.draw_series(top.iter().enumerate().map(|(i, p)| {
            let y = (top.len() - 1 - i) as f64;
            Text::new(p.sites.to_string(), (p.sites as f64 + 0.05, y), (FONT, 14))
        }))?;
        Ok(())
    })
}

/// A time series on a 0–100 scale, as SVG only (the dashboard of `govscan serve`): one line
/// per series (the first blue, the second red, then green), over `labels` on the x axis
/// (thinned to at most 12 shown); a `None` is a gap in its line, never drawn as zero.
pub fn series_svg(labels: &[String], series: &[Vec<Option<f64>>]) -> Result<String, ChartError> {
    register_font();
    const GREEN: RGBColor = RGBColor(0x20, 0x90, 0x40);
    let fail = |e: &dyn std::fmt::Display| ChartError {
        chart: "series".to_string(),
        message: e.to_string(),
    };
    let n = labels.len().max(1);
    let step = n.div_ceil(12).max(1);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let r: DrawResult = (|| {
            area.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&area)
                .margin(16)
                .x_label_area_size(36)
                .y_label_area_size(44)
                .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..100f64)?;
            chart
                .configure_mesh()
                .x_labels(n.min(12))
                .x_label_formatter(&|x| {
                    let i = x.round();
                    if (x - i).abs() > 1e-6 || i < 0.0 || !(i as usize).is_multiple_of(step) {
                        return String::new();
                    }
                    labels.get(i as usize).cloned().unwrap_or_default()
                })
                .y_labels(6)
                .label_style((FONT, 13))
                .draw()?;
            for (values, color) in series.iter().zip([BLUE, RED, GREEN].into_iter().cycle()) {
                let mut run: Vec<(f64, f64)> = Vec::new();
                let mut runs = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Some(v) => run.push((i as f64, v.clamp(0.0, 100.0))),
                        None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                        None => {}
                    }
                }
                if !run.is_empty() {
                    runs.push(run);
                }
                for r in runs {
                    chart.draw_series(LineSeries::new(r, color.stroke_width(2)))?;
                }
                chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                    v.map(|v| Circle::new((i as f64, v.clamp(0.0, 100.0)), 3, color.filled()))
                }))?;
            }
            Ok(())
        })();
        r.map_err(|e| fail(&e))?;
        area.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months() -> Vec<TrendMonth> {
        (1..=12)
            .map(|m| TrendMonth {
                month: format!("2026-{m:02}"),
                inspected: if m == 4 { 0 } else { 10 },
                passed: 8,
                pass_rate: (m != 4).then_some(70.0 + m as f64),
                average_score: (m != 4).then_some(80.0 + m as f64 / 2.0),
            })
            .collect()
    }

    #[test]
    fn charts_come_as_svg_and_png_with_chinese_captions() {
        let c = trend(&months()).unwrap();
        assert!(
            c.svg.starts_with("<svg") && c.svg.contains("26-11"),
            "{}",
            c.svg
        );
        assert!(c.png.starts_with(b"\x89PNG"));
        assert!(c.caption.contains("合格率"));
        let p = problems(&[ProblemCount {
            rule: "link.broken.home".into(),
            title: "首页不可用链接".into(),
            kind: "扣分".into(),
            sites: 3,
            findings: 7,
            previous_findings: None,
            change: None,
        }])
        .unwrap();
        assert!(p.caption.contains("1. 首页不可用链接（扣分）"));
        assert!(p.png.starts_with(b"\x89PNG"));
        if let Ok(dir) = std::env::var("GOVSCAN_CHART_DIR") {
            std::fs::write(format!("{dir}/trend.png"), &c.png).unwrap();
            std::fs::write(format!("{dir}/problems.png"), &p.png).unwrap();
        }
    }

    #[test]
    fn a_series_draws_as_svg_with_gaps() {
        let labels: Vec<String> = (1..=30).map(|d| format!("11-{d:02}")).collect();
        let a: Vec<Option<f64>> = (0..30)
            .map(|i| (i != 5).then_some(i as f64 * 3.0))
            .collect();
        let svg = series_svg(&labels, &[a, vec![Some(120.0); 30]]).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("11-01"), "{svg}");
        assert!(series_svg(&[], &[]).unwrap().starts_with("<svg"));
    }

    #[test]
    fn an_empty_month_draws_without_failing() {
        let d = distribution(&[]).unwrap();
        assert!(d.png.starts_with(b"\x89PNG"));
        let p = problems(&[]).unwrap();
        assert!(p.caption.contains("本月无问题"));
    }
}
