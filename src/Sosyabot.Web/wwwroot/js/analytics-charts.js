// Draws every canvas.metrics-chart from its data-chart attribute ({labels, series: {impressions, likes, ...}}) with
// the Chart.js bundle the app serves (wwwroot/lib/chart.js). Impressions get their own axis: they run far above the rest.
(function () {
    'use strict';
    var lines = [
        ['impressions', 'Impressions', '#1d9bf0', 'y1'],
        ['likes', 'Likes', '#f91880', 'y'],
        ['reposts', 'Reposts', '#00ba7c', 'y'],
        ['replies', 'Replies', '#7856ff', 'y'],
        ['quotes', 'Quotes', '#ffad1f', 'y'],
        ['bookmarks', 'Bookmarks', '#536471', 'y']
    ];

    function draw(canvas) {
        if (!window.Chart || window.Chart.getChart(canvas)) {
            return;
        }
        var data = JSON.parse(canvas.getAttribute('data-chart'));
        new window.Chart(canvas, {
            type: 'line',
            data: {
                labels: data.labels,
                datasets: lines.map(function (line) {
                    return {
                        label: line[1], data: data.series[line[0]], borderColor: line[2], backgroundColor: line[2],
                        yAxisID: line[3], tension: 0.2, pointRadius: 3
                    };
                })
            },
            options: {
                animation: false,
                maintainAspectRatio: false,
                interaction: { mode: 'index', intersect: false },
                scales: {
                    y: { beginAtZero: true, position: 'left', title: { display: true, text: 'Engagements' } },
                    y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'Impressions' } }
                }
            }
        });
    }

    function drawAll() {
        document.querySelectorAll('canvas.metrics-chart').forEach(draw);
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', drawAll);
    } else {
        drawAll();
    }
})();
