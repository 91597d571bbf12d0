using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sosyabot.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChannelDeliveriesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The new index serves the channel foreign key as the old one did; it is built before the old one goes.
            migrationBuilder.CreateIndex(
                name: "IX_deliveries_channel_id_state",
                table: "deliveries",
                columns: new[] { "channel_id", "state" });

            migrationBuilder.DropIndex(
                name: "IX_deliveries_channel_id",
                table: "deliveries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_deliveries_channel_id_state",
                table: "deliveries");

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_channel_id",
                table: "deliveries",
                column: "channel_id");
        }
    }
}
