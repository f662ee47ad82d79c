import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatPercentage } from "@web/views/fields/formatters";
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { PivotRenderer } from "@web/views/pivot/pivot_renderer";
import { patch } from "@web/core/utils/patch";

const FUNNEL_MODEL = "crm.deal.funnel.report";
const DEAL_REPORTS = [
    "crm.deal.funnel.report",
    "crm.deal.closer.report",
    "crm.deal.phase.duration.report",
    "crm.deal.call.report",
];

/**
 * The conversion funnel as a chart: the phases' bars in pipeline order (the server orders
 * them), each with its share of the first bar - the cohort - written above it.
 */
const shareLabels = {
    id: "dealPhaseShares",
    afterDatasetsDraw(chart) {
        const { ctx } = chart;
        ctx.save();
        ctx.font = "bold 12px sans-serif";
        ctx.textAlign = "center";
        ctx.fillStyle = "#374151";
        chart.data.datasets.forEach((dataset, index) => {
            const base = dataset.data[0];
            if (!base || chart.getDatasetMeta(index).hidden) {
                return;
            }
            chart.getDatasetMeta(index).data.forEach((bar, position) => {
                const share = formatPercentage(dataset.data[position] / base, { digits: [false, 0] });
                ctx.fillText(share, bar.x, bar.y - 6);
            });
        });
        ctx.restore();
    },
};

patch(GraphRenderer.prototype, {
    getChartConfig() {
        const config = super.getChartConfig(...arguments);
        const { resModel, mode } = this.model.metaData;
        if (resModel === FUNNEL_MODEL && mode === "bar") {
            config.plugins = [...(config.plugins || []), shareLabels];
        }
        return config;
    },
});

/**
 * A rate of nothing is no 0 %: the deal phase reports send no value (null) where a rate has no
 * denominator - a month without consultations, a total across phases - and the pivot shows a
 * dash there.
 */
patch(PivotRenderer.prototype, {
    getFormattedValue(cell) {
        if (DEAL_REPORTS.includes(this.model.metaData.resModel) && (cell.value === null || cell.value === false)) {
            return { value: "–" };
        }
        return super.getFormattedValue(...arguments);
    },
});

/**
 * Minutes as a manager reads them (widget "deal_minutes" of a pivot measure): "4 min", "5 h",
 * "38 days" - a speed to lead of 54,720.00 minutes says nothing at a glance.
 */
export function formatDealMinutes(value) {
    if (value === null || value === false || value === undefined) {
        return "";
    }
    const minutes = Math.round(value);
    if (minutes < 60) {
        return _t("%s min", minutes);
    }
    const hours = Math.round(minutes / 60);
    return hours < 48 ? _t("%s h", hours) : _t("%s days", Math.round(hours / 24));
}
registry.category("formatters").add("deal_minutes", formatDealMinutes);
