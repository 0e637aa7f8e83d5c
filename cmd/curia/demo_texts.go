package main

import (
	"fmt"

	"github.com/curia/curia/docs/pdf"
)

// The demo pack's text: invented figures for an invented province, in
// the shape and wording of real council documents.

func budgetProposal() pdf.Spec {
	return pdf.Spec{
		Subtitle: "ỦY BAN NHÂN DÂN TỈNH\nSố: 245/TTr-UBND",
		Title:    "Tờ trình về dự toán thu, chi ngân sách địa phương năm 2026",
		Sections: []pdf.Section{
			{Heading: "Kính gửi: Hội đồng nhân dân tỉnh khóa XVII, kỳ họp thứ 12", Paragraphs: []string{
				"Căn cứ Luật Tổ chức chính quyền địa phương; Luật Ngân sách nhà nước; Nghị định số 163/2016/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của Luật Ngân sách nhà nước;",
				"Căn cứ Quyết định của Thủ tướng Chính phủ về việc giao dự toán ngân sách nhà nước năm 2026 và Thông tư của Bộ Tài chính hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2026;",
				"Căn cứ Nghị quyết của Hội đồng nhân dân tỉnh về kế hoạch tài chính 05 năm giai đoạn 2026 – 2030 và kế hoạch tài chính – ngân sách nhà nước 03 năm 2026 – 2028;",
				"Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định dự toán thu ngân sách nhà nước trên địa bàn, thu, chi ngân sách địa phương và phương án phân bổ ngân sách cấp tỉnh năm 2026 như sau.",
			}},
			{Heading: "I. Đánh giá thực hiện dự toán ngân sách năm 2025", Paragraphs: []string{
				"Tổng thu ngân sách nhà nước trên địa bàn năm 2025 ước đạt 14.850 tỷ đồng, bằng 108,6% dự toán Trung ương giao và 104,3% dự toán Hội đồng nhân dân tỉnh giao, tăng 9,2% so với năm 2024.",
				"Trong đó: thu nội địa ước đạt 12.960 tỷ đồng, bằng 106,1% dự toán; thu từ hoạt động xuất nhập khẩu ước đạt 1.890 tỷ đồng, bằng 128,4% dự toán; thu tiền sử dụng đất ước đạt 3.120 tỷ đồng, bằng 97,5% dự toán.",
				"Tổng chi ngân sách địa phương ước thực hiện 21.430 tỷ đồng, bằng 101,8% dự toán; chi đầu tư phát triển 7.240 tỷ đồng, giải ngân vốn đầu tư công đến ngày 30 tháng 11 đạt 78,6% kế hoạch; chi thường xuyên được bảo đảm theo dự toán, đáp ứng các nhiệm vụ chính trị quan trọng của địa phương.",
				"Tồn tại, hạn chế: một số khoản thu chưa đạt dự toán, nhất là thu tiền sử dụng đất do thị trường bất động sản phục hồi chậm; tiến độ giải ngân một số dự án trọng điểm còn chậm do vướng mắc trong giải phóng mặt bằng.",
			}},
			{Heading: "II. Dự toán thu ngân sách nhà nước năm 2026", Paragraphs: []string{
				"Tổng thu ngân sách nhà nước trên địa bàn năm 2026 là 15.900 tỷ đồng, tăng 7,1% so với ước thực hiện năm 2025, trong đó thu nội địa 13.850 tỷ đồng, thu từ hoạt động xuất nhập khẩu 2.050 tỷ đồng.",
				"Dự toán thu được xây dựng tích cực, sát thực tế, trên cơ sở đánh giá đầy đủ các chính sách miễn, giảm, gia hạn thuế còn hiệu lực và khả năng phục hồi của các ngành sản xuất, kinh doanh trên địa bàn.",
				"Thu ngân sách địa phương được hưởng theo phân cấp là 12.780 tỷ đồng; thu bổ sung cân đối từ ngân sách Trung ương 6.420 tỷ đồng; thu bổ sung có mục tiêu 2.150 tỷ đồng.",
			}},
			{Heading: "III. Dự toán chi ngân sách địa phương năm 2026", Paragraphs: []string{
				"Tổng chi ngân sách địa phương năm 2026 là 22.310 tỷ đồng, trong đó chi đầu tư phát triển 7.850 tỷ đồng (chiếm 35,2%), chi thường xuyên 13.640 tỷ đồng, dự phòng ngân sách 420 tỷ đồng, chi tạo nguồn cải cách tiền lương 400 tỷ đồng.",
				"Chi sự nghiệp giáo dục – đào tạo và dạy nghề 5.120 tỷ đồng; chi sự nghiệp khoa học và công nghệ 98 tỷ đồng, bảo đảm không thấp hơn mức Trung ương giao; chi sự nghiệp y tế, dân số và gia đình 1.460 tỷ đồng.",
				"Ưu tiên bố trí vốn cho các dự án chuyển tiếp, dự án trọng điểm có tính liên kết vùng; không bố trí vốn cho các dự án chưa đủ thủ tục đầu tư theo quy định.",
			}},
			{Heading: "IV. Giải pháp tổ chức thực hiện", Paragraphs: []string{
				"Tăng cường quản lý thu, chống thất thu, xử lý nợ đọng thuế; đẩy mạnh hóa đơn điện tử khởi tạo từ máy tính tiền đối với hoạt động bán lẻ, ăn uống, lưu trú.",
				"Điều hành chi ngân sách chặt chẽ, tiết kiệm, hiệu quả; tiết kiệm thêm 10% chi thường xuyên để tăng chi đầu tư phát triển; siết chặt kỷ luật tài chính, ngân sách.",
				"Đẩy nhanh tiến độ giải ngân vốn đầu tư công ngay từ đầu năm; người đứng đầu chịu trách nhiệm về kết quả giải ngân của cơ quan, đơn vị mình.",
			}},
			{Heading: "V. Kiến nghị", Paragraphs: []string{
				"Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, thông qua Nghị quyết về dự toán ngân sách địa phương và phương án phân bổ ngân sách cấp tỉnh năm 2026 (kèm theo dự thảo Nghị quyết và các phụ lục chi tiết).",
				"Nơi nhận: Như trên; Thường trực Tỉnh ủy; Thường trực Hội đồng nhân dân tỉnh; Đại biểu Hội đồng nhân dân tỉnh; Lưu: VT, KTTH.",
				"TM. ỦY BAN NHÂN DÂN – CHỦ TỊCH",
			}},
		},
	}
}

// sector is one chapter of the socio-economic report.
type sector struct {
	heading, result, detail, weakness, plan string
}

func socioEconomicReport() pdf.Spec {
	sectors := []sector{
		{"1. Tăng trưởng kinh tế", "Tổng sản phẩm trên địa bàn (GRDP) năm 2025 ước tăng 8,12%, cao hơn mức bình quân cả nước; quy mô GRDP đạt 128.400 tỷ đồng, thu nhập bình quân đầu người ước đạt 89,6 triệu đồng.",
			"Khu vực nông, lâm nghiệp và thủy sản tăng 3,4%; khu vực công nghiệp – xây dựng tăng 11,8%; khu vực dịch vụ tăng 7,6%; thuế sản phẩm trừ trợ cấp sản phẩm tăng 6,9%.",
			"Tăng trưởng còn phụ thuộc nhiều vào một số dự án công nghiệp lớn; năng suất lao động tuy được cải thiện nhưng vẫn thấp hơn bình quân vùng.",
			"Năm 2026 phấn đấu GRDP tăng 8,5% trở lên; tập trung tháo gỡ khó khăn cho sản xuất, kinh doanh và thu hút các dự án có hàm lượng công nghệ cao."},
		{"2. Sản xuất nông nghiệp và xây dựng nông thôn mới", "Tổng diện tích gieo trồng cây hằng năm đạt 168.500 ha; sản lượng lương thực có hạt ước đạt 812.000 tấn, tăng 2,1%; chăn nuôi phát triển ổn định, dịch bệnh được kiểm soát.",
			"Toàn tỉnh có thêm 14 xã đạt chuẩn nông thôn mới nâng cao, 5 xã đạt chuẩn nông thôn mới kiểu mẫu; 236 sản phẩm được công nhận đạt chuẩn OCOP từ 3 sao trở lên.",
			"Liên kết sản xuất theo chuỗi giá trị còn ít; thời tiết cực đoan gây thiệt hại cho sản xuất ở một số huyện miền núi.",
			"Năm 2026 tiếp tục cơ cấu lại ngành nông nghiệp theo hướng hữu cơ, tuần hoàn; mở rộng vùng nguyên liệu gắn với chế biến và tiêu thụ."},
		{"3. Công nghiệp và xây dựng", "Chỉ số sản xuất công nghiệp (IIP) năm 2025 ước tăng 12,6%; giá trị sản xuất công nghiệp chế biến, chế tạo tăng 14,2%; một số sản phẩm chủ lực như linh kiện điện tử, may mặc, vật liệu xây dựng tăng khá.",
			"Tỷ lệ lấp đầy các khu công nghiệp đạt 71,5%; có thêm 2 cụm công nghiệp đi vào hoạt động, thu hút 38 doanh nghiệp thứ cấp.",
			"Một số dự án công nghiệp chậm tiến độ; nguồn cung lao động kỹ thuật chưa đáp ứng nhu cầu của doanh nghiệp.",
			"Năm 2026 phấn đấu chỉ số sản xuất công nghiệp tăng 13%; hoàn thiện hạ tầng các khu, cụm công nghiệp đã quy hoạch."},
		{"4. Thương mại, dịch vụ và du lịch", "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước đạt 76.300 tỷ đồng, tăng 10,8%; kim ngạch xuất khẩu ước đạt 4,85 tỷ USD, tăng 15,3%.",
			"Tổng lượt khách du lịch ước đạt 6,2 triệu lượt, tăng 18%; doanh thu du lịch đạt 7.450 tỷ đồng; nhiều sự kiện văn hóa – du lịch được tổ chức thành công.",
			"Sản phẩm du lịch còn đơn điệu, chưa kéo dài thời gian lưu trú của du khách; hạ tầng thương mại ở nông thôn còn hạn chế.",
			"Năm 2026 đẩy mạnh xúc tiến thương mại, phát triển thương mại điện tử; xây dựng sản phẩm du lịch đặc thù gắn với di sản và cộng đồng."},
		{"5. Thu, chi ngân sách nhà nước", "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 14.850 tỷ đồng, bằng 108,6% dự toán Trung ương giao; chi ngân sách địa phương ước đạt 21.430 tỷ đồng.",
			"Công tác quản lý thu được tăng cường; nợ thuế được kiểm soát ở mức 4,1% tổng thu nội địa; chi ngân sách bảo đảm các nhiệm vụ an sinh xã hội.",
			"Thu tiền sử dụng đất chưa đạt dự toán; một số đơn vị còn chậm quyết toán dự án hoàn thành.",
			"Năm 2026 quyết liệt các giải pháp chống thất thu; điều hành chi chặt chẽ, ưu tiên nguồn lực cho đầu tư phát triển."},
		{"6. Đầu tư công và thu hút đầu tư", "Tổng vốn đầu tư phát triển toàn xã hội ước đạt 52.600 tỷ đồng, tăng 11,2%; giải ngân vốn đầu tư công đến cuối tháng 11 đạt 78,6% kế hoạch.",
			"Trong năm đã cấp mới 46 dự án đầu tư trong nước với tổng vốn đăng ký 18.900 tỷ đồng và 12 dự án đầu tư nước ngoài với tổng vốn 640 triệu USD.",
			"Công tác bồi thường, giải phóng mặt bằng còn chậm; năng lực một số chủ đầu tư, nhà thầu còn hạn chế.",
			"Năm 2026 phấn đấu giải ngân 100% kế hoạch vốn đầu tư công; cải thiện môi trường đầu tư, nâng cao chỉ số năng lực cạnh tranh cấp tỉnh."},
		{"7. Giáo dục và đào tạo", "Quy mô mạng lưới trường lớp được sắp xếp hợp lý; tỷ lệ trường đạt chuẩn quốc gia đạt 78,4%; kỳ thi tốt nghiệp trung học phổ thông được tổ chức an toàn, tỷ lệ đỗ đạt 98,7%.",
			"Chương trình giáo dục phổ thông mới được triển khai đồng bộ; chất lượng giáo dục mũi nhọn được nâng lên với 42 giải học sinh giỏi quốc gia.",
			"Vẫn còn thiếu giáo viên ở một số môn học mới; cơ sở vật chất trường học ở vùng khó khăn chưa đáp ứng yêu cầu.",
			"Năm 2026 tiếp tục đầu tư cơ sở vật chất, tuyển dụng đủ giáo viên theo định mức; đẩy mạnh chuyển đổi số trong giáo dục."},
		{"8. Y tế và chăm sóc sức khỏe nhân dân", "Mạng lưới y tế cơ sở được củng cố; tỷ lệ bao phủ bảo hiểm y tế đạt 94,6%; đạt 13,2 bác sĩ và 34,5 giường bệnh trên một vạn dân.",
			"Các dịch bệnh truyền nhiễm được kiểm soát tốt; chất lượng khám, chữa bệnh được cải thiện, nhiều kỹ thuật cao được triển khai tại tuyến tỉnh.",
			"Tình trạng thiếu thuốc, vật tư y tế cục bộ vẫn còn xảy ra; nhân lực y tế tuyến xã còn thiếu.",
			"Năm 2026 nâng cao năng lực y tế cơ sở, hoàn thành bệnh án điện tử tại các bệnh viện tuyến tỉnh."},
		{"9. Văn hóa, thể thao và thông tin", "Các hoạt động văn hóa, văn nghệ, thể dục thể thao chào mừng các ngày lễ lớn được tổ chức sôi nổi; di sản văn hóa được bảo tồn và phát huy giá trị.",
			"Thể thao thành tích cao đạt 64 huy chương tại các giải quốc gia; phong trào toàn dân rèn luyện thân thể tiếp tục phát triển.",
			"Thiết chế văn hóa cơ sở ở một số nơi chưa phát huy hiệu quả.",
			"Năm 2026 tập trung xây dựng môi trường văn hóa lành mạnh, bảo tồn di sản gắn với phát triển du lịch."},
		{"10. Lao động, việc làm và an sinh xã hội", "Giải quyết việc làm mới cho 26.800 lao động; tỷ lệ lao động qua đào tạo đạt 70,2%; tỷ lệ hộ nghèo theo chuẩn đa chiều giảm còn 3,1%.",
			"Các chính sách đối với người có công, bảo trợ xã hội được thực hiện đầy đủ, kịp thời; đã hỗ trợ xóa 1.250 nhà tạm, nhà dột nát.",
			"Chất lượng việc làm chưa cao; một bộ phận lao động trở về từ các tỉnh, thành phố còn gặp khó khăn.",
			"Năm 2026 giảm tỷ lệ hộ nghèo thêm 0,8 điểm phần trăm; phát triển thị trường lao động gắn với nhu cầu của doanh nghiệp."},
		{"11. Cải cách hành chính và chuyển đổi số", "Chỉ số cải cách hành chính của tỉnh tăng 5 bậc; 98,3% hồ sơ thủ tục hành chính được giải quyết đúng hạn; tỷ lệ hồ sơ trực tuyến toàn trình đạt 56%.",
			"Hệ thống họp không giấy được triển khai tại các kỳ họp Hội đồng nhân dân và phiên họp Ủy ban nhân dân tỉnh, tiết kiệm đáng kể chi phí in ấn tài liệu.",
			"Hạ tầng số ở vùng sâu, vùng xa còn hạn chế; kỹ năng số của một bộ phận cán bộ, người dân chưa đáp ứng yêu cầu.",
			"Năm 2026 hoàn thành kết nối, chia sẻ dữ liệu giữa các cơ sở dữ liệu chuyên ngành; mở rộng dịch vụ công trực tuyến toàn trình."},
		{"12. Quốc phòng, an ninh và nhiệm vụ năm 2026", "Quốc phòng, an ninh được giữ vững; trật tự, an toàn xã hội được bảo đảm; tai nạn giao thông giảm cả ba tiêu chí.",
			"Công tác tiếp công dân, giải quyết khiếu nại, tố cáo được thực hiện nghiêm túc; công tác phòng, chống tham nhũng, tiêu cực đạt nhiều kết quả.",
			"Tội phạm sử dụng công nghệ cao có chiều hướng gia tăng; một số vụ việc khiếu kiện đông người còn kéo dài.",
			"Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, cho ý kiến và quyết nghị về kế hoạch phát triển kinh tế – xã hội năm 2026 với mục tiêu tổng quát và các chỉ tiêu chủ yếu như dự thảo Nghị quyết kèm theo."},
	}
	sections := make([]pdf.Section, len(sectors))
	for i, s := range sectors {
		sections[i] = pdf.Section{Heading: s.heading, Paragraphs: []string{
			s.result, s.detail, "Tồn tại, hạn chế: " + s.weakness, s.plan,
			fmt.Sprintf("(Số liệu chi tiết tại Phụ lục %d kèm theo báo cáo.)", i+1),
		}}
	}
	return pdf.Spec{Subtitle: "ỦY BAN NHÂN DÂN TỈNH\nSố: 412/BC-UBND",
		Title:    "Báo cáo tình hình kinh tế – xã hội năm 2025, kế hoạch phát triển kinh tế – xã hội năm 2026",
		Sections: sections}
}

func draftResolution() pdf.Spec {
	return pdf.Spec{
		Subtitle: "HỘI ĐỒNG NHÂN DÂN TỈNH\nSố:      /NQ-HĐND (DỰ THẢO)",
		Title:    "Nghị quyết về kế hoạch phát triển kinh tế – xã hội năm 2026",
		Sections: []pdf.Section{
			{Heading: "HỘI ĐỒNG NHÂN DÂN TỈNH KHÓA XVII, KỲ HỌP THỨ 12", Paragraphs: []string{
				"Căn cứ Luật Tổ chức chính quyền địa phương;",
				"Xét Báo cáo số 412/BC-UBND của Ủy ban nhân dân tỉnh về tình hình kinh tế – xã hội năm 2025, kế hoạch phát triển kinh tế – xã hội năm 2026; Báo cáo thẩm tra của Ban Kinh tế – Ngân sách Hội đồng nhân dân tỉnh; ý kiến thảo luận của đại biểu Hội đồng nhân dân tỉnh tại kỳ họp.",
				"QUYẾT NGHỊ:",
			}},
			{Heading: "Điều 1. Mục tiêu và các chỉ tiêu chủ yếu năm 2026", Paragraphs: []string{
				"Mục tiêu tổng quát: tập trung phục hồi và phát triển kinh tế nhanh, bền vững; đẩy mạnh chuyển đổi số, cải cách hành chính; bảo đảm an sinh xã hội, nâng cao đời sống vật chất, tinh thần của Nhân dân; giữ vững quốc phòng, an ninh.",
				"1. Tốc độ tăng trưởng tổng sản phẩm trên địa bàn (GRDP) đạt 8,5% trở lên.",
				"2. GRDP bình quân đầu người đạt 97 triệu đồng.",
				"3. Tổng vốn đầu tư phát triển toàn xã hội đạt 58.000 tỷ đồng.",
				"4. Tổng thu ngân sách nhà nước trên địa bàn đạt 15.900 tỷ đồng.",
				"5. Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều giảm 0,8 điểm phần trăm.",
				"6. Tỷ lệ dân số tham gia bảo hiểm y tế đạt 95%.",
				"7. Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình đạt 65%.",
			}},
			{Heading: "Điều 2. Nhiệm vụ, giải pháp chủ yếu", Paragraphs: []string{
				"1. Tháo gỡ khó khăn cho sản xuất, kinh doanh; cải thiện mạnh mẽ môi trường đầu tư; thu hút các dự án công nghệ cao, thân thiện môi trường.",
				"2. Đẩy nhanh tiến độ thực hiện và giải ngân vốn đầu tư công, nhất là các công trình trọng điểm, có tính lan tỏa.",
				"3. Phát triển nông nghiệp sinh thái, nông thôn hiện đại, nông dân văn minh; nâng cao hiệu quả chương trình mỗi xã một sản phẩm.",
				"4. Nâng cao chất lượng giáo dục, y tế; thực hiện đầy đủ các chính sách an sinh xã hội.",
				"5. Đẩy mạnh cải cách hành chính, chuyển đổi số; siết chặt kỷ luật, kỷ cương hành chính.",
			}},
			{Heading: "Điều 3. Tổ chức thực hiện", Paragraphs: []string{
				"1. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này.",
				"2. Thường trực Hội đồng nhân dân tỉnh, các Ban của Hội đồng nhân dân tỉnh, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết.",
				"Nghị quyết này đã được Hội đồng nhân dân tỉnh khóa XVII, kỳ họp thứ 12 thông qua ngày … tháng 12 năm 2025 và có hiệu lực từ ngày thông qua.",
				"CHỦ TỊCH",
			}},
		},
	}
}

func inspectionReport() pdf.Spec {
	return pdf.Spec{
		Mark:     "MẬT",
		Subtitle: "THANH TRA TỈNH\nSố: 37/BC-TTr",
		Title:    "Báo cáo kết quả thanh tra việc quản lý, sử dụng vốn đầu tư công tại Ban Quản lý dự án đầu tư xây dựng các công trình giao thông",
		Sections: []pdf.Section{
			{Heading: "I. Khái quát cuộc thanh tra", Paragraphs: []string{
				"Thực hiện Quyết định thanh tra số 112/QĐ-TTr, Đoàn thanh tra đã tiến hành thanh tra việc quản lý, sử dụng vốn đầu tư công giai đoạn 2022 – 2024 tại Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh.",
				"Phạm vi thanh tra gồm 9 dự án với tổng mức đầu tư 3.486 tỷ đồng; thời gian thanh tra trực tiếp 45 ngày làm việc.",
				"Tài liệu này chứa thông tin thuộc danh mục bí mật nhà nước độ Mật; chỉ lưu hành trong phạm vi những người được phân công nghiên cứu, không sao chụp, không chuyển cho người khác.",
			}},
			{Heading: "II. Kết quả thanh tra", Paragraphs: []string{
				"1. Về công tác lập, thẩm định, phê duyệt dự án: 02 dự án điều chỉnh tổng mức đầu tư nhưng chưa thực hiện đầy đủ trình tự thẩm định, làm tăng tổng mức đầu tư 186,4 tỷ đồng.",
				"2. Về công tác lựa chọn nhà thầu: 03 gói thầu có hồ sơ mời thầu đưa ra tiêu chí hạn chế sự tham gia của nhà thầu; 01 gói thầu đánh giá hồ sơ dự thầu chưa đúng quy định.",
				"3. Về nghiệm thu, thanh toán: nghiệm thu, thanh toán khối lượng chưa đúng thực tế thi công với số tiền 2,35 tỷ đồng; áp dụng sai đơn giá vật liệu với số tiền 0,87 tỷ đồng.",
				"4. Trách nhiệm: trách nhiệm chính thuộc về Giám đốc Ban Quản lý dự án thời kỳ 2022 – 2023, các cán bộ phụ trách kỹ thuật và đơn vị tư vấn giám sát liên quan.",
			}},
			{Heading: "III. Kiến nghị xử lý", Paragraphs: []string{
				"1. Thu hồi nộp ngân sách nhà nước số tiền 3,22 tỷ đồng do nghiệm thu, thanh toán sai khối lượng và đơn giá.",
				"2. Yêu cầu Ban Quản lý dự án tổ chức kiểm điểm trách nhiệm đối với tập thể, cá nhân có liên quan; báo cáo kết quả về Thanh tra tỉnh trước ngày 31 tháng 3 năm 2026.",
				"3. Chuyển hồ sơ 01 gói thầu có dấu hiệu vi phạm pháp luật đến Cơ quan Cảnh sát điều tra Công an tỉnh để xem xét, xử lý theo quy định.",
				"Nơi nhận: Thường trực Tỉnh ủy; Thường trực Hội đồng nhân dân tỉnh; Chủ tịch Ủy ban nhân dân tỉnh; Lưu: VT, hồ sơ thanh tra. (Bản số 05/12)",
			}},
		},
	}
}
